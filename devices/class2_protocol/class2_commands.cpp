#include "devices/class2_protocol/class2_commands.hpp"

namespace faxemu {

namespace {

const Class2Names kClass2{
    "2",      "+FDCC",  "+FDIS",  "+FLID",  "+FBOR",  "+FPTS",  "+FK",    "+FCON",  "+FDIS:",
    "+FDCS:", "+FDTC:", "+FCSI:", "+FTSI:", "+FPTS:", "+FHNG:", "+FNSF:", "+FPOLL", 0x11,
};

const Class2Names kClass20{
    "2.0",   "+FCC",  "+FIS",  "+FLI",  "+FBO",  "+FPS",  "+FKS",  "+FCO", "+FIS:",
    "+FCS:", "+FTC:", "+FCI:", "+FTI:", "+FPS:", "+FHS:", "+FNF:", "+FPO", 0x12,
};

}  // namespace

const char* to_string(Class2Variant v) {
    return v == Class2Variant::Class2 ? "Class 2" : "Class 2.0";
}

const Class2Names& class2_names(Class2Variant v) {
    return v == Class2Variant::Class2 ? kClass2 : kClass20;
}

std::string unquote_id(std::string_view text) {
    std::size_t b = 0, e = text.size();
    auto blank = [](char c) { return c == ' ' || c == '\t' || c == '"' || c == '\r'; };
    while (b < e && blank(text[b])) ++b;
    while (e > b && blank(text[e - 1])) --e;
    return std::string(text.substr(b, e - b));
}

}  // namespace faxemu
