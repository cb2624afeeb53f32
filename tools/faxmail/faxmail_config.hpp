// What faxmail reads of faxd's configuration file: [faxmail] allowed_senders
// (where faxd listens is read by faxd_address, as faxctl does).
#pragma once

#include <filesystem>

#include "tools/faxmail/sender_allow_list.hpp"

namespace faxemu::faxmail {

// The allow-list of `config` (no file, or no such key: an empty list, which
// allows nobody). Throws std::runtime_error naming the file and line when it
// cannot be read or the key is not a list of sender patterns.
SenderAllowList load_sender_allow_list(const std::filesystem::path& config);

}  // namespace faxemu::faxmail
