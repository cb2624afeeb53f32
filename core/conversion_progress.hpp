// How far the conversion of a job's documents has got, for people waiting on
// a long document: which document of how many, and its pages rendered so far
// (of how many, when the converter knows). Live only: faxd keeps it while the
// job converts and never stores it.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace faxemu {

struct ConversionProgress {
    std::string document;    // the client's name for the document being converted
    std::int32_t index = 1;  // which document, from 1
    std::int32_t documents = 1;
    std::int32_t pages_done = 0;
    std::optional<std::int32_t> pages_total;  // none: not known (PostScript, before it is counted)

    bool operator==(const ConversionProgress&) const = default;
};

// Told of each change of progress, on the thread that converts.
using ConversionProgressSink = std::function<void(const ConversionProgress&)>;

// In words, as QueueStatus shows it: "converting letter.pdf, document 1 of 3:
// page 12 of 40" ("document N of M" only when there are several, "page N"
// alone when the total is not known, no page before the first is done).
std::string describe(const ConversionProgress& progress);

}  // namespace faxemu
