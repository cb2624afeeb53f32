// Fuzzes faxd's configuration reader (tools/faxd/config, toml++): a damaged or
// hand-edited file must give a std::runtime_error naming the file, never a
// crash or another exception.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "tools/faxd/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    const std::string origin = "fuzz.toml";
    try {
        (void)faxemu::faxd::parse_config(text, origin);
    } catch (const std::runtime_error& e) {
        if (std::string(e.what()).rfind(origin, 0) != 0) std::abort();
    }
    return 0;
}
