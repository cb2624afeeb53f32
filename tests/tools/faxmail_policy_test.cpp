// What faxmail accepts: senders by faxd's allow-list patterns, and the fax
// number in the address a mail was sent to.
#include <gtest/gtest.h>

#include <stdexcept>

#include "tools/faxmail/fax_recipient.hpp"
#include "tools/faxmail/sender_allow_list.hpp"

namespace faxemu::faxmail {
namespace {

TEST(FaxmailSenders, PatternsMatchWholeAddressesWithoutCase) {
    const SenderAllowList list({"*@example.com", "boss@x.org", "fax-?@corp.example"});
    EXPECT_TRUE(list.allows("alice@example.com"));
    EXPECT_TRUE(list.allows("Alice@EXAMPLE.com"));
    EXPECT_TRUE(list.allows("boss@x.org"));
    EXPECT_TRUE(list.allows("fax-1@corp.example"));
    EXPECT_FALSE(list.allows("fax-12@corp.example"));
    EXPECT_FALSE(list.allows("alice@example.com.evil.org"));
    EXPECT_FALSE(list.allows("mallory@example.org"));
    EXPECT_FALSE(list.allows("xboss@x.org"));
    EXPECT_FALSE(SenderAllowList({}).allows("alice@example.com"));  // empty: nobody
    // Many stars cannot make it slow or recursive.
    const SenderAllowList stars({"*a*a*a*a*a*a*a*a*a*a*a*a*b@x"});
    EXPECT_FALSE(stars.allows(std::string(5000, 'a') + "@x"));
}

TEST(FaxmailSenders, APatternThatIsNoneIsRefused) {
    EXPECT_THROW(SenderAllowList({""}), std::invalid_argument);
    EXPECT_THROW(SenderAllowList({"boss"}), std::invalid_argument);
    EXPECT_THROW(SenderAllowList({"a b@x.org"}), std::invalid_argument);
    EXPECT_THROW(SenderAllowList({"a\n@x.org"}), std::invalid_argument);
}

TEST(FaxmailRecipient, TheNumberIsTheAddressesLocalPart) {
    EXPECT_EQ(fax_number_of("5551002@fax.example"), "5551002");
    EXPECT_EQ(fax_number_of("+1-555-1002@fax.example"), "+1-555-1002");
    EXPECT_EQ(fax_number_of("555.1002@fax.example"), "5551002");
    EXPECT_EQ(fax_number_of("5551002"), "5551002");
    EXPECT_EQ(fax_number_of("fax-desk@fax.example"), std::nullopt);
    EXPECT_EQ(fax_number_of("@fax.example"), std::nullopt);
    EXPECT_EQ(fax_number_of("1+2@fax.example"), std::nullopt);
    EXPECT_EQ(fax_number_of(""), std::nullopt);
}

}  // namespace
}  // namespace faxemu::faxmail
