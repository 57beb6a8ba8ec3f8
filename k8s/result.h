#pragma once

#include <QString>
#include <QStringList>

#include <utility>
#include <variant>

namespace canary {

// An error that names what went wrong and what the user can do. Async results from the API server
// carry the HTTP status and the decoded Kubernetes Status reason as well.
struct Error {
    QString message;
    int httpStatus = 0;
    QString reason;
    QStringList causes;

    QString toString() const { return message; }
};

template <typename T> class Result final {
public:
    Result(T value)
        : m_data(std::move(value))
    { }
    Result(Error error)
        : m_data(std::move(error))
    { }

    bool ok() const { return m_data.index() == 0; }
    explicit operator bool() const { return ok(); }
    const T &value() const & { return std::get<0>(m_data); }
    T &value() & { return std::get<0>(m_data); }
    T &&value() && { return std::get<0>(std::move(m_data)); }
    const T &operator*() const & { return value(); }
    const T *operator->() const { return &value(); }
    const Error &error() const { return std::get<1>(m_data); }

private:
    std::variant<T, Error> m_data;
};

inline Error makeError(QString message)
{
    return Error { std::move(message), 0, {}, {} };
}

} // namespace canary
