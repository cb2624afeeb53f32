// Shared by the devices tests: a prepared document and the calls of a site.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "core/documents/document.hpp"
#include "devices/simulated_site.hpp"
#include "tests/support/test_support.hpp"

namespace faxemu::test {

using faxemu::test::fixture;
using faxemu::test::TempDir;

// The first call in `site` that went out (or came in).
inline const CallRecord* find_call(const SimulatedSite& site, bool outbound) {
    for (const CallRecord& c : site.calls())
        if (c.outbound == outbound) return &c;
    return nullptr;
}

// Makes the fixture fax-shaped in the spool and fills a SendRequest for it.
inline SendRequest prepare_send(const std::filesystem::path& source,
                                const std::filesystem::path& spool, const std::string& to) {
    Document doc = Document::open(source);
    std::filesystem::create_directories(spool / "outgoing");
    SendRequest r;
    r.document = spool / "outgoing" / source.filename();
    doc.write_fax_tiff(r.document);
    r.number = to;
    r.document_name = source.filename().string();
    r.document_size = static_cast<std::int64_t>(std::filesystem::file_size(r.document));
    r.page_count = static_cast<int>(doc.page_count());
    return r;
}

}  // namespace faxemu::test
