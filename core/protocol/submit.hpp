// Submitting a fax as a person expects it: job.submit answers at once while
// faxd converts the document on its worker pool, so a client that must tell
// its user whether the document can be faxed (faxctl send, the COM shim's
// FaxDoc.Send) waits here until the conversion has ended.
#pragma once

#include <chrono>
#include <functional>

#include "core/protocol/client.hpp"

namespace faxemu::rpc {

// job.submit with `params`, then job.get until the job is no longer
// "converting". Returns the job as it then is (queued, or later). Throws
// RpcError: what job.submit throws; kBadDocument with faxd's reason (naming the
// document, the page when known, and why) when the conversion failed; kIoError
// when it has not ended within `timeout`. `on_converting`, when given, sees the
// job each time it is asked while it converts (its "conversion" tells how far
// the conversion has got), to show progress.
json submit_and_wait(FaxClient& client, const json& params,
                     std::chrono::milliseconds timeout = std::chrono::minutes(10),
                     const std::function<void(const json& job)>& on_converting = {});

}  // namespace faxemu::rpc
