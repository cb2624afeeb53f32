#include "core/conversion_progress.hpp"

namespace faxemu {

std::string describe(const ConversionProgress& p) {
    std::string out = "converting " + p.document;
    std::string where;
    if (p.documents > 1)
        where = "document " + std::to_string(p.index) + " of " + std::to_string(p.documents);
    if (p.pages_done > 0) {
        if (!where.empty()) where += ": ";
        where += "page " + std::to_string(p.pages_done);
        if (p.pages_total) where += " of " + std::to_string(*p.pages_total);
    }
    if (!where.empty()) out += (p.documents > 1 ? ", " : ": ") + where;
    return out;
}

}  // namespace faxemu
