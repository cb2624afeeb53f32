// Who may fax by e-mail: faxd's configuration lists the senders faxmail takes
// mail from ([faxmail] allowed_senders), as patterns where `*` stands for any
// run of characters and `?` for one ("*@example.com", "boss@x.org").
// faxd's config parser checks the patterns with the same rules.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace faxemu::faxmail {

class SenderAllowList {
  public:
    // Throws std::invalid_argument naming a pattern that is not one (empty,
    // no '@', a space or control character in it).
    explicit SenderAllowList(std::vector<std::string> patterns);

    // Whether `address` matches a pattern; case does not count (the domain's
    // never does, and mail systems treat local parts alike in practice). An
    // empty list allows nobody.
    bool allows(std::string_view address) const;

    const std::vector<std::string>& patterns() const { return patterns_; }

  private:
    std::vector<std::string> patterns_;
};

}  // namespace faxemu::faxmail
