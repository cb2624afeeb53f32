// What `faxctl received --fetch ID [--format F] [--page N] [-o FILE]` writes
// and where: the format follows --format, else FILE's extension, else TIFF;
// a format that FILE's name contradicts is refused (a TIFF is never written
// into x.pdf). Decided before faxctl connects, so a mistake costs nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/protocol/fax_file_format.hpp"

namespace faxemu::faxctl {

struct FetchTarget {
    FaxFileFormat format = FaxFileFormat::Tiff;
    std::int32_t page = 0;  // PNG: the page (from 1); 0 otherwise
    std::string path;
};

// `format`: --format as given ("" when absent); `output`: -o ("" when absent);
// `page`: --page. Without -o the file is fax-ID.tif, fax-ID.pdf or
// fax-ID-page-N.png. --page alone means PNG. Throws std::runtime_error saying
// what contradicts what.
FetchTarget fetch_target(std::int64_t id, const std::string& format, const std::string& output,
                         std::optional<std::int32_t> page);

}  // namespace faxemu::faxctl
