// Received faxes as PDF or PNG for received.fetch. Converting a fax can take
// longer than the control protocol's thread may block, and a fetch comes in
// chunks, so each (fax, format, page) is converted once on the worker pool into
// a file in the spool's exports/ folder; fetches answer "converting" until it
// is there and then read it in chunks like the TIFF. The folder is a cache:
// emptied at start, and files unused for a while are removed by housekeeping
// (the writers are deterministic, so a file made again is the same bytes, and
// a fetch that straddles a removal still gets one consistent file).
#pragma once

#include <sys/types.h>

#include <asio/io_context.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "core/error.hpp"
#include "core/file_modes.hpp"
#include "core/protocol/fax_file_format.hpp"
#include "core/received_fax.hpp"
#include "core/worker_pool.hpp"

namespace faxemu::faxd {

class ReceivedExports {
  public:
    // Creates (or empties) `dir`. The pool and io_context must outlive this.
    ReceivedExports(std::filesystem::path dir, WorkerPool& workers, asio::io_context& io,
                    FileModes modes);

    // On the io thread. The fax as `format` (`page` from 1 for PNG, else
    // ignored; `thumbnail_width`: a PNG thumbnail that wide, see
    // write_fax_png) when it is ready, and marks it used; nullopt while it is being
    // converted (the first call starts that on the pool). A conversion that
    // failed throws its FaxError (naming the fax, never its file) once; the
    // call after that tries again.
    std::optional<std::filesystem::path> file(
        const ReceivedFax& fax, FaxFileFormat format, std::int32_t page,
        std::optional<std::uint32_t> thumbnail_width = std::nullopt);

    // Removes the exports not made or fetched within `age`, except those
    // being made. Returns how many went.
    int remove_unused(std::chrono::seconds age);

  private:
    struct Failure {
        ErrorCode code;
        std::string message;
    };

    std::filesystem::path dir_;
    WorkerPool& workers_;
    asio::io_context& io_;
    FileModes modes_;
    // By file name: the conversions running (nullopt) or failed (why).
    std::map<std::string, std::optional<Failure>> work_;
};

}  // namespace faxemu::faxd
