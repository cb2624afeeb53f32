#include "tools/faxd/notifications.hpp"

#include <algorithm>
#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "core/protocol/json_rpc.hpp"

namespace faxemu::faxd {

namespace {

using json = nlohmann::json;

// Each notification and where its params name the thing whose state it carries.
struct Topic {
    std::string_view method;
    std::string_view key;
};
constexpr std::array<Topic, 3> kTopics = {{
    {"port.status", "/status/device_id"},
    {"job.changed", "/job/job_id"},
    {"received.changed", "/fax/id"},
}};

bool known_topic(const std::string& name) {
    return std::any_of(kTopics.begin(), kTopics.end(),
                       [&](const Topic& t) { return t.method == name; });
}

std::set<std::string> string_set(const json& params, const char* name) {
    const json& list = params.at(name);
    if (!list.is_array())
        throw rpc::RpcError(rpc::kInvalidParams, std::string(name) + ": expected an array");
    std::set<std::string> out;
    for (const json& item : list) {
        if (!item.is_string())
            throw rpc::RpcError(rpc::kInvalidParams,
                                std::string(name) + ": expected an array of strings");
        out.insert(item.get<std::string>());
    }
    return out;
}

// params[object][field] as text; "" if absent (a filter must not throw).
std::string text_at(const json& params, const char* object, const char* field) {
    const auto o = params.find(object);
    if (o == params.end() || !o->is_object()) return {};
    const auto f = o->find(field);
    return f != o->end() && f->is_string() ? f->get<std::string>() : std::string();
}

// What session.subscribe asked for; an absent filter lets everything through.
struct Subscription {
    std::optional<std::set<std::string>> topics;
    std::optional<std::set<std::string>> ports;  // port names
    std::optional<std::string> own_jobs_of;      // user name

    bool wants(const std::string& method, const json& params) const {
        if (topics && !topics->count(method)) return false;
        if (ports && method == "port.status")
            return ports->count(text_at(params, "status", "device_name")) > 0;
        if (ports && method == "received.changed")
            return ports->count(text_at(params, "fax", "port_name")) > 0;
        if (own_jobs_of && method == "job.changed")
            return text_at(params, "job", "user_name") == *own_jobs_of;
        return true;
    }
};

json subscribe(RpcServer::Session& session, const json& params) {
    Subscription s;
    if (params.contains("topics")) {
        s.topics = string_set(params, "topics");
        for (const std::string& t : *s.topics)
            if (!known_topic(t))
                throw rpc::RpcError(rpc::kInvalidParams, "topics: no notification " + t);
    }
    if (params.contains("ports")) s.ports = string_set(params, "ports");
    if (params.contains("own_jobs")) {
        if (!params.at("own_jobs").is_boolean())
            throw rpc::RpcError(rpc::kInvalidParams, "own_jobs: expected true or false");
        if (params.at("own_jobs").get<bool>()) s.own_jobs_of = session.user;
    }
    json topics = json::array();
    for (const Topic& t : kTopics)
        if (!s.topics || s.topics->count(std::string(t.method))) topics.push_back(t.method);
    json answer = {{"topics", std::move(topics)},
                   {"ports", s.ports ? json(*s.ports) : json(nullptr)},
                   {"own_jobs", s.own_jobs_of.has_value()}};
    if (!s.topics && !s.ports && !s.own_jobs_of)
        session.wants.reset();  // everything, as before any subscribe
    else
        session.wants =
            std::make_shared<const std::function<bool(const std::string&, const json&)>>(
                [s = std::move(s)](const std::string& method, const json& p) {
                    return s.wants(method, p);
                });
    return answer;
}

}  // namespace

void register_notifications(RpcServer& rpc) {
    for (const Topic& t : kTopics)
        rpc.keep_latest(std::string(t.method), json::json_pointer(std::string(t.key)));
    rpc.handle("session.subscribe", subscribe);
}

}  // namespace faxemu::faxd
