// A fixture made fax-shaped, as the server stores documents to send: shared by
// the device rigs (Class 1, Class 2) and the fault matrix that uses both.
#pragma once

#include <filesystem>
#include <string>

#include "core/documents/document.hpp"
#include "tests/support/test_support.hpp"

namespace faxemu::test {

inline std::filesystem::path fax_document(const std::string& fixture_name,
                                          const std::filesystem::path& dir) {
    std::filesystem::path out = dir / ("send-" + fixture_name);
    Document::open(fixture("documents/" + fixture_name)).write_fax_tiff(out);
    return out;
}

}  // namespace faxemu::test
