#include "tools/faxmail/faxmail_config.hpp"

#include <stdexcept>

#include "tools/faxctl/faxd_address.hpp"

namespace faxemu::faxmail {

SenderAllowList load_sender_allow_list(const std::filesystem::path& config) {
    if (config.empty()) return SenderAllowList({});
    const toml::table root = faxctl::read_faxd_config(config);
    const toml::node* n = root["faxmail"]["allowed_senders"].node();
    if (!n) return SenderAllowList({});
    const std::string where = config.string() + ":" + std::to_string(n->source().begin.line) +
                              ": faxmail.allowed_senders";
    const toml::array* a = n->as_array();
    if (!a) throw std::runtime_error(where + ": expected an array of strings");
    std::vector<std::string> patterns;
    for (const toml::node& e : *a) {
        if (!e.is_string()) throw std::runtime_error(where + ": expected an array of strings");
        patterns.push_back(e.as_string()->get());
    }
    try {
        return SenderAllowList(std::move(patterns));
    } catch (const std::invalid_argument& e) {
        throw std::runtime_error(where + ": " + e.what());
    }
}

}  // namespace faxemu::faxmail
