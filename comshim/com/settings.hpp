// The shim's settings, read where a Windows program keeps them: the registry
// key Software\faxemu\FaxServer, first under HKEY_CURRENT_USER (per user),
// then under HKEY_LOCAL_MACHINE (per machine, for services such as IIS
// application pools), each value on its own. Environment variables (FAXEMU_*)
// come before both, so that a test or a one-off run can override them.
// Header-only and Windows-only: included by faxcom_shim.cpp after the Windows
// headers.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace faxemu::shim {

inline constexpr const wchar_t* kSettingsKey = L"Software\\faxemu\\FaxServer";

// A REG_SZ (or REG_EXPAND_SZ, not expanded) value from HKCU, else HKLM.
inline std::optional<std::wstring> setting_text(const wchar_t* name) {
    for (HKEY root : {HKEY_CURRENT_USER, HKEY_LOCAL_MACHINE}) {
        DWORD type = 0, bytes = 0;
        if (RegGetValueW(root, kSettingsKey, name, RRF_RT_REG_SZ | RRF_RT_REG_EXPAND_SZ |
                                                       RRF_NOEXPAND,
                         &type, nullptr, &bytes) != ERROR_SUCCESS)
            continue;
        std::wstring value(bytes / sizeof(wchar_t) + 1, L'\0');
        if (RegGetValueW(root, kSettingsKey, name, RRF_RT_REG_SZ | RRF_RT_REG_EXPAND_SZ |
                                                       RRF_NOEXPAND,
                         &type, value.data(), &bytes) != ERROR_SUCCESS)
            continue;
        value.resize(wcsnlen(value.c_str(), value.size()));
        return value;
    }
    return std::nullopt;
}

// A REG_DWORD value from HKCU, else HKLM.
inline std::optional<DWORD> setting_number(const wchar_t* name) {
    for (HKEY root : {HKEY_CURRENT_USER, HKEY_LOCAL_MACHINE}) {
        DWORD value = 0, bytes = sizeof value;
        if (RegGetValueW(root, kSettingsKey, name, RRF_RT_REG_DWORD, nullptr, &value, &bytes) ==
            ERROR_SUCCESS)
            return value;
    }
    return std::nullopt;
}

// How long a call waits for a faxd that went away (a restart) to come back
// before it fails: $FAXEMU_RECONNECT_TIMEOUT or the ReconnectTimeout value, in
// seconds; 30 s when neither is set. 0 turns re-connecting off. Read at each
// re-connect, so a change applies to running programs.
inline std::chrono::seconds reconnect_timeout() {
    if (const wchar_t* v = _wgetenv(L"FAXEMU_RECONNECT_TIMEOUT"); v && *v)
        return std::chrono::seconds(wcstoul(v, nullptr, 10));
    if (const auto v = setting_number(L"ReconnectTimeout")) return std::chrono::seconds(*v);
    return std::chrono::seconds(30);
}

// The PEM file of the CA that signs faxd's certificate, for tls:// servers:
// $FAXEMU_TLS_CA or the TlsCaFile value (UTF-8); "" when neither is set, and
// then the Windows trust store decides (the CA imported into Root).
inline std::string tls_ca_file() {
    std::wstring path;
    if (const wchar_t* v = _wgetenv(L"FAXEMU_TLS_CA"); v && *v)
        path = v;
    else if (auto v = setting_text(L"TlsCaFile"))
        path = *v;
    if (path.empty()) return {};
    const int n = WideCharToMultiByte(CP_UTF8, 0, path.data(), static_cast<int>(path.size()),
                                      nullptr, 0, nullptr, nullptr);
    std::string out(n, '\0');
    WideCharToMultiByte(CP_UTF8, 0, path.data(), static_cast<int>(path.size()), out.data(), n,
                        nullptr, nullptr);
    return out;
}

}  // namespace faxemu::shim
