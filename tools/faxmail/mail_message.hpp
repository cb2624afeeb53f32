// A mail as faxmail faxes it: who sent it, to whom, its text body and its
// attachments, decoded (base64, quoted-printable) by GMime from the RFC 5322 /
// MIME message the mail system pipes in.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace faxemu::faxmail {

struct MailPart {
    std::string name;          // its file name, or one made from its type
    std::string content_type;  // "application/pdf", as the mail says
    std::vector<std::uint8_t> bytes;
};

struct MailMessage {
    std::string from;                  // the From mailbox's address; empty if none
    std::vector<std::string> to;       // the To mailboxes' addresses
    std::string delivered_to;          // the first Delivered-To header's address
    std::string subject;               // decoded to UTF-8
    std::string body;                  // the text/plain body in UTF-8 (empty if blank)
    std::vector<MailPart> documents;   // every attachment, in the order of the mail
    std::vector<std::string> skipped;  // parts left out, and why (HTML alternatives, signatures)
};

// Parses a whole message. Throws std::runtime_error when it is not one.
MailMessage parse_mail(const std::string& raw);

}  // namespace faxemu::faxmail
