// The programs run-program routing may start. RoutingData is set over the
// network by admins; without this list any admin could run any command as
// faxd's user. The operator names the programs in faxd's configuration
// ([routing] allowed_programs); RoutingMethod checks when RoutingData is set
// and RoutingRunner checks again before it runs, since the list may have
// changed since.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace faxemu {

class ProgramAllowList {
  public:
    // The configuration key that holds the list, named in refusals.
    static constexpr std::string_view kConfigKey = "routing.allowed_programs";

    ProgramAllowList() = default;  // allows nothing
    // Throws std::invalid_argument naming an entry that is not an absolute path.
    explicit ProgramAllowList(std::vector<std::string> programs);

    // The program to execute for `program` (the first word of RoutingData):
    // its canonical path when that is the canonical path of a listed entry
    // (symbolic links and "..", resolved now, on both sides). Otherwise empty,
    // with `why` saying what is wrong, naming the program and the key.
    std::filesystem::path resolve(std::string_view program, std::string& why) const;

    const std::vector<std::string>& programs() const { return programs_; }

  private:
    std::vector<std::string> programs_;
};

}  // namespace faxemu
