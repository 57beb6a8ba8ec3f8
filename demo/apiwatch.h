#pragma once

#include <QString>

#include <atomic>

namespace httplib {
struct Request;
struct Response;
} // namespace httplib

namespace canary::demo {

class ObjectStore;
struct FaultPlan;
struct ResourceType;

// A watch (?watch=true) answered as kube-apiserver streams it: newline-delimited events from the request's
// resourceVersion (or the current objects as ADDED first), bookmarks when asked for, 410 Expired for a
// resourceVersion older than the event log, a clean end at timeoutSeconds or when the server stops.
void serveWatch(ObjectStore &store, FaultPlan &faults, const std::atomic<bool> &stopping,
                const httplib::Request &request, httplib::Response &response, const ResourceType &type,
                const QString &ns, const QString &apiVersion);

} // namespace canary::demo
