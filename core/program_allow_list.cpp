#include "core/program_allow_list.hpp"

#include <stdexcept>
#include <system_error>

#include "core/client_text.hpp"

namespace faxemu {

namespace {

// The path with symbolic links and dot segments resolved as far as it exists;
// empty if that fails (e.g. a directory on the way cannot be searched).
std::filesystem::path canonical_form(const std::filesystem::path& p) {
    std::error_code ec;
    auto out = std::filesystem::weakly_canonical(p, ec);
    return ec ? std::filesystem::path{} : out;
}

}  // namespace

ProgramAllowList::ProgramAllowList(std::vector<std::string> programs)
    : programs_(std::move(programs)) {
    for (const std::string& p : programs_)
        if (!std::filesystem::path(p).is_absolute())
            throw std::invalid_argument("\"" + p + "\" is not an absolute path");
}

std::filesystem::path ProgramAllowList::resolve(std::string_view program, std::string& why) const {
    const std::string named = quoted_excerpt(program, 200);
    const std::string how = "; the programs run-program may start are listed in " +
                            std::string(kConfigKey) + " of faxd's configuration";
    if (!std::filesystem::path(program).is_absolute()) {
        why = "program " + named + " must be an absolute path" + how;
        return {};
    }
    const auto wanted = canonical_form(program);
    if (!wanted.empty()) {
        for (const std::string& allowed : programs_)
            if (canonical_form(allowed) == wanted) return wanted;
    }
    why = "program " + named + " is not allowed" + how;
    return {};
}

}  // namespace faxemu
