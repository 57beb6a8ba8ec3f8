#pragma once

#include "demo/access.h"

#include <QString>
#include <QStringList>

#include <atomic>

namespace httplib {
struct Request;
struct Response;
} // namespace httplib

namespace canary::demo {

class ObjectStore;
struct FaultPlan;

// The REST resources under /api/VERSION and /apis/GROUP/VERSION: get, list (labelSelector, fieldSelector,
// limit and continue), watch, create, replace, merge patch, server-side apply, delete, and the status and
// scale subresources, each authorized for the user and admitted with the CRD's schema.
class ResourceHandler final {
public:
    ResourceHandler(ObjectStore &store, FaultPlan &faults, const std::atomic<bool> &stopping);

    // `segments` is the path split on '/': api, VERSION, ... or apis, GROUP, VERSION, ...
    void handle(const httplib::Request &request, httplib::Response &response, const QStringList &segments,
                const UserInfo &user);
    int dryRunRequests() const { return m_dryRuns.load(); }

private:
    struct Call;
    void list(Call &call);
    void get(Call &call);
    void create(Call &call);
    void replace(Call &call);
    void apply(Call &call);
    void mergePatch(Call &call);
    void scale(Call &call);

    ObjectStore &m_store;
    FaultPlan &m_faults;
    const std::atomic<bool> &m_stopping;
    std::atomic<int> m_dryRuns { 0 };
};

} // namespace canary::demo
