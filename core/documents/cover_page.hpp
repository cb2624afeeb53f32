// Cover pages: the faxcom FaxDoc cover-page fields rendered from a template
// into a first page. A template is an SVG file of a Letter page that anyone can
// edit with an SVG editor: every {{field}} in it is replaced by the field's
// value, and the note is laid out (wrapped) in the rectangle whose id is
// "note". librsvg draws it and Cairo rasterises it at the fax's resolution.
// A default template is built in; an operator adds templates as NAME.svg in the
// folder named by [documents] cover_pages. Windows .cov files are not read.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "core/documents/fax_page.hpp"
#include "core/image_compare.hpp"

namespace faxemu {

// FAX_COVERPAGE_INFO's fields, named as FaxDoc's properties are.
struct CoverPageInfo {
    std::string template_name;  // CoverpageName: a server template; empty = "default"
    std::string recipient_name, recipient_fax_number, recipient_company, recipient_address,
        recipient_title, recipient_department, recipient_office_location, recipient_home_phone,
        recipient_office_phone;
    std::string sender_name, sender_fax_number, sender_company, sender_address, sender_title,
        sender_department, sender_office_location, sender_home_phone, sender_office_phone,
        sender_email;
    std::string tsid, note, subject;
};

// Each text field by its name in templates and in the control protocol
// ("recipient_name", ..., "note", "subject"): the one list of them.
const std::vector<std::pair<const char*, std::string CoverPageInfo::*>>& cover_page_fields();

// What only faxd knows when it draws the page: {{date}} and {{page_count}}.
struct CoverPageContext {
    std::string date;    // e.g. "2026-12-07 14:05"
    int page_count = 0;  // the fax's pages, the cover page included
};

// Draws `svg` (a template's text) with the fields filled in on a page of
// `geometry`. Throws FaxError(BadDocument, "cover page \"NAME\": reason") when
// the template is not an SVG librsvg can draw.
BilevelPage render_cover_page(const std::string& name, const std::string& svg,
                              const CoverPageInfo& info, const CoverPageContext& context,
                              const FaxPageGeometry& geometry);

// The templates a server offers: "default" (built in, unless the folder has
// its own default.svg) and every NAME.svg in `folder` (none when empty).
class CoverPageTemplates {
  public:
    explicit CoverPageTemplates(std::filesystem::path folder = {}) : folder_(std::move(folder)) {}

    std::vector<std::string> names() const;
    // The template's SVG text. `name` may end in ".svg"; anything but a plain
    // file name is refused. Throws FaxError(BadDocument) naming the template
    // and the names there are, when it is not one of them.
    std::string load(const std::string& name) const;

  private:
    std::filesystem::path folder_;
};

// The built-in default template (core/documents/cover_pages/default.svg).
const std::string& default_cover_page_svg();

}  // namespace faxemu
