// The fax number a mail is for: the local part of the address it was sent to
// (5551002@fax.example), as HylaFAX's faxmail takes it, or what the mail
// system passes as the recipient (Postfix's ${user}, Exim's $local_part).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace faxemu::faxmail {

// The number in `address` ("5551002@fax.example", "+1-555-1002", "5551002"):
// its local part when that is a phone number (digits, with + - . ( ) and
// spaces between them); nullopt otherwise. The number is returned as written,
// but for the dots (which some mailers cannot put in a local part otherwise).
std::optional<std::string> fax_number_of(std::string_view address);

}  // namespace faxemu::faxmail
