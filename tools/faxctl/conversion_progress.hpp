// What `faxctl send` shows on stderr while faxd converts its documents, so
// that a person sending a long document sees it move: the job's status in
// words ("job 7: Pending (converting letter.pdf: page 12 of 40)"), one line
// rewritten in place on a terminal, a line per change otherwise.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include "core/protocol/json_rpc.hpp"

namespace faxemu::faxctl {

class ConversionProgressLine {
  public:
    // `out` is a terminal when `rewrite`: the line is redrawn in place.
    ConversionProgressLine(std::FILE* out, bool rewrite) : out_(out), rewrite_(rewrite) {}
    ~ConversionProgressLine() { finish(); }
    ConversionProgressLine(const ConversionProgressLine&) = delete;
    ConversionProgressLine& operator=(const ConversionProgressLine&) = delete;

    // The job as faxd last told it, while it converts.
    void show(const rpc::json& job);
    // Ends the rewritten line, so what follows starts on its own line.
    void finish();

  private:
    std::FILE* out_;
    bool rewrite_;
    std::string shown_;
    bool open_line_ = false;  // a rewritten line without its newline yet
};

}  // namespace faxemu::faxctl
