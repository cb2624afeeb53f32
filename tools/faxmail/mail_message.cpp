#include "tools/faxmail/mail_message.hpp"

#include <gmime/gmime.h>

#include <memory>
#include <mutex>
#include <stdexcept>
#include <string_view>

namespace faxemu::faxmail {

namespace {

// GObject references, released when they go.
struct Unref {
    void operator()(gpointer p) const {
        if (p) g_object_unref(p);
    }
};
template <typename T>
using Ref = std::unique_ptr<T, Unref>;

std::string address_of(InternetAddressList* list, int index = 0) {
    if (!list || index >= internet_address_list_length(list)) return {};
    InternetAddress* a = internet_address_list_get_address(list, index);
    if (!INTERNET_ADDRESS_IS_MAILBOX(a)) return {};
    const char* addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a));
    return addr ? addr : "";
}

std::string lower(std::string s) {
    for (char& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

std::vector<std::uint8_t> decoded_content(GMimePart* part) {
    GMimeDataWrapper* content = g_mime_part_get_content(part);
    if (!content) return {};
    Ref<GMimeStream> out(g_mime_stream_mem_new());
    if (g_mime_data_wrapper_write_to_stream(content, out.get()) < 0)
        throw std::runtime_error("a part of the mail cannot be decoded");
    GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out.get()));
    return {bytes->data, bytes->data + bytes->len};
}

// Text in UTF-8 whatever its charset (GMime converts it).
std::string text_of(GMimeTextPart* part) {
    char* text = g_mime_text_part_get_text(part);
    if (!text) return {};
    std::string out(text);
    g_free(text);
    return out;
}

bool blank(std::string_view s) {
    return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

struct Walk {
    MailMessage* mail;
    bool have_body = false;
};

void visit(GMimeObject* parent, GMimeObject* part, gpointer data) {
    auto& walk = *static_cast<Walk*>(data);
    if (GMIME_IS_MESSAGE_PART(part)) {  // its parts are another mail's: not walked into
        walk.mail->skipped.push_back("message/rfc822: a forwarded mail, not faxed");
        return;
    }
    if (!GMIME_IS_PART(part)) return;  // a multipart: its parts are visited in turn
    GMimeContentType* ct = g_mime_object_get_content_type(part);
    const std::string type = lower(std::string(g_mime_content_type_get_media_type(ct)) + "/" +
                                   g_mime_content_type_get_media_subtype(ct));
    const char* filename = g_mime_part_get_filename(GMIME_PART(part));
    const char* disposition = g_mime_object_get_disposition(part);
    const bool attachment =
        filename || (disposition && lower(disposition) == GMIME_DISPOSITION_ATTACHMENT);
    bool alternative = false;
    if (parent && GMIME_IS_MULTIPART(parent)) {
        // get_mime_type returns a string of its own, for us to free
        char* parent_type =
            g_mime_content_type_get_mime_type(g_mime_object_get_content_type(parent));
        alternative = lower(parent_type) == "multipart/alternative";
        g_free(parent_type);
    }
    if (type == "application/pgp-signature" || type == "application/pkcs7-signature" ||
        type == "application/x-pkcs7-signature") {
        walk.mail->skipped.push_back(type + ": a signature, not faxed");
        return;
    }
    if (!attachment && type == "text/plain" && !walk.have_body) {
        walk.have_body = true;
        std::string text = text_of(GMIME_TEXT_PART(part));
        if (!blank(text)) walk.mail->body = std::move(text);
        return;
    }
    if (alternative && !attachment) {  // the same text again, as HTML or rich text
        walk.mail->skipped.push_back(type + ": an alternative of the text, not faxed");
        return;
    }
    MailPart doc;
    doc.content_type = type;
    if (GMIME_IS_TEXT_PART(part) && type == "text/plain") {
        const std::string text = text_of(GMIME_TEXT_PART(part));
        doc.bytes.assign(text.begin(), text.end());
    } else {
        doc.bytes = decoded_content(GMIME_PART(part));
    }
    doc.name = filename ? filename
                        : "part-" + std::to_string(walk.mail->documents.size() + 1) + "." +
                              g_mime_content_type_get_media_subtype(ct);
    walk.mail->documents.push_back(std::move(doc));
}

}  // namespace

MailMessage parse_mail(const std::string& raw) {
    static std::once_flag once;
    std::call_once(once, [] { g_mime_init(); });
    Ref<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(raw.data(), raw.size()));
    Ref<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
    Ref<GMimeMessage> message(g_mime_parser_construct_message(parser.get(), nullptr));
    if (!message || !g_mime_message_get_mime_part(message.get()))
        throw std::runtime_error("the input is not a mail message");
    MailMessage mail;
    mail.from = address_of(g_mime_message_get_from(message.get()));
    InternetAddressList* to = g_mime_message_get_to(message.get());
    for (int i = 0; to && i < internet_address_list_length(to); ++i)
        if (auto a = address_of(to, i); !a.empty()) mail.to.push_back(a);
    if (const char* d = g_mime_object_get_header(GMIME_OBJECT(message.get()), "Delivered-To")) {
        Ref<InternetAddressList> list(internet_address_list_parse(nullptr, d));
        mail.delivered_to = address_of(list.get());
    }
    if (const char* s = g_mime_message_get_subject(message.get())) mail.subject = s;
    Walk walk{&mail};
    g_mime_message_foreach(message.get(), visit, &walk);
    return mail;
}

}  // namespace faxemu::faxmail
