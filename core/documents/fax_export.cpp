#include "core/documents/fax_export.hpp"

#include "core/atomic_file.hpp"
#include "core/documents/fax_pdf.hpp"
#include "core/documents/fax_png.hpp"
#include "core/error.hpp"

namespace faxemu {

namespace fs = std::filesystem;

void export_fax(const fs::path& tiff, FaxFileFormat format, std::int32_t page, const fs::path& out,
                std::optional<mode_t> mode, std::optional<std::uint32_t> png_thumbnail_width) {
    switch (format) {
        case FaxFileFormat::Pdf:
            write_fax_pdf(tiff, out, mode);
            return;
        case FaxFileFormat::Png:
            write_fax_png(tiff, page, out, mode, png_thumbnail_width);
            return;
        case FaxFileFormat::Tiff:
            break;
    }
    replace_atomically(
        out,
        [&](const fs::path& temp) {
            std::error_code error;
            fs::copy_file(tiff, temp, fs::copy_options::overwrite_existing, error);
            if (error)
                throw FaxError(ErrorCode::Io, tiff.string() + ": cannot copy: " + error.message());
        },
        mode);
}

}  // namespace faxemu
