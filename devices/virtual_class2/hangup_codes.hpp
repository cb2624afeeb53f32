// +FHNG (Class 2, decimal) / +FHS (Class 2.0, hex) hang-up status codes, from
// spandsp's T30_ERR_* causes and the phase the call was in.
#pragma once

#include <string>

namespace faxemu::vclass2 {

enum class FaxPhase { A, B, C, D, E };

// The Class 2 code (decimal groups: 0 normal, 1-5 call placement, 10-11 tx phase A,
// 20-28 tx B, 40-47 tx C, 50-58 tx D, 70-74 rx B, 90-94 rx C, 100-103 rx D).
int hangup_code(int t30_cause, bool transmitting, FaxPhase phase);

// "+FHNG:27" in Class 2; "+FHS:27" (the same digits read as hex: 100 -> A0) in 2.0.
std::string format_hangup(int code, bool class20);

}  // namespace faxemu::vclass2
