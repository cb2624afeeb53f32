// The shim's settings, read where a Windows program keeps them: the registry
// key Software\faxemu\FaxServer, first under HKEY_CURRENT_USER (per user),
// then under HKEY_LOCAL_MACHINE (per machine, for services such as IIS
// application pools), each value on its own. Environment variables (FAXEMU_*)
// come before both, so that a test or a one-off run can override them.
// Values: Server (REG_SZ, what Connect "" reaches), User (REG_SZ), Password
// (REG_BINARY, DPAPI), ReconnectTimeout (REG_DWORD, s), TlsCaFile (REG_SZ).
// Header-only and Windows-only: included by faxcom_shim.cpp after the Windows
// headers.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <dpapi.h>

#include "core/protocol/windows/utf16.hpp"

namespace faxemu::shim {

inline constexpr const wchar_t* kSettingsKey = L"Software\\faxemu\\FaxServer";

// The settings key of `root`, in the 64-bit view: a 32-bit DLL reads what the
// (64-bit) installer wrote for the machine, not WOW6432Node. Null if absent.
inline HKEY open_settings(HKEY root, REGSAM access = KEY_READ) {
    HKEY key = nullptr;
    if (RegOpenKeyExW(root, kSettingsKey, 0, access | KEY_WOW64_64KEY, &key) != ERROR_SUCCESS)
        return nullptr;
    return key;
}

// A value of one type from the settings of `root`.
inline std::optional<std::vector<BYTE>> setting_bytes(HKEY root, const wchar_t* name, DWORD flags) {
    HKEY key = open_settings(root);
    if (!key) return std::nullopt;
    DWORD bytes = 0;
    std::optional<std::vector<BYTE>> value;
    if (RegGetValueW(key, nullptr, name, flags, nullptr, nullptr, &bytes) == ERROR_SUCCESS) {
        std::vector<BYTE> data(bytes + sizeof(wchar_t));
        if (RegGetValueW(key, nullptr, name, flags, nullptr, data.data(), &bytes) ==
            ERROR_SUCCESS) {
            data.resize(bytes);
            value = std::move(data);
        }
    }
    RegCloseKey(key);
    return value;
}

inline std::optional<std::wstring> setting_text(HKEY root, const wchar_t* name) {
    auto bytes = setting_bytes(root, name, RRF_RT_REG_SZ | RRF_RT_REG_EXPAND_SZ | RRF_NOEXPAND);
    if (!bytes) return std::nullopt;
    std::wstring text(reinterpret_cast<const wchar_t*>(bytes->data()),
                      bytes->size() / sizeof(wchar_t));
    text.resize(wcsnlen(text.c_str(), text.size()));
    return text;
}

// A REG_SZ (or REG_EXPAND_SZ, not expanded) value from HKCU, else HKLM.
inline std::optional<std::wstring> setting_text(const wchar_t* name) {
    for (HKEY root : {HKEY_CURRENT_USER, HKEY_LOCAL_MACHINE})
        if (auto v = setting_text(root, name)) return v;
    return std::nullopt;
}

// A REG_DWORD value from HKCU, else HKLM.
inline std::optional<DWORD> setting_number(const wchar_t* name) {
    for (HKEY root : {HKEY_CURRENT_USER, HKEY_LOCAL_MACHINE}) {
        auto bytes = setting_bytes(root, name, RRF_RT_REG_DWORD);
        if (bytes && bytes->size() == sizeof(DWORD))
            return *reinterpret_cast<const DWORD*>(bytes->data());
    }
    return std::nullopt;
}

// Whom Connect logs in as: $FAXEMU_USER and $FAXEMU_PASSWORD, else the User
// value and the DPAPI-encrypted Password value (REG_BINARY, CryptProtectData)
// of the first of HKCU, HKLM that has a User. An empty user: no login.
struct Credentials {
    std::string user;
    std::string password;
};
inline Credentials credentials() {
    if (const wchar_t* u = _wgetenv(L"FAXEMU_USER"); u && *u) {
        const wchar_t* p = _wgetenv(L"FAXEMU_PASSWORD");
        return {faxemu::windows::utf8(u), p ? faxemu::windows::utf8(p) : std::string()};
    }
    for (HKEY root : {HKEY_CURRENT_USER, HKEY_LOCAL_MACHINE}) {
        auto user = setting_text(root, L"User");
        if (!user || user->empty()) continue;
        Credentials found{faxemu::windows::utf8(*user), {}};
        if (auto blob = setting_bytes(root, L"Password", RRF_RT_REG_BINARY)) {
            DATA_BLOB in{static_cast<DWORD>(blob->size()), blob->data()};
            DATA_BLOB out{};
            if (CryptUnprotectData(&in, nullptr, nullptr, nullptr, nullptr,
                                   CRYPTPROTECT_UI_FORBIDDEN, &out)) {
                found.password = faxemu::windows::utf8(std::wstring(
                    reinterpret_cast<const wchar_t*>(out.pbData), out.cbData / sizeof(wchar_t)));
                SecureZeroMemory(out.pbData, out.cbData);
                LocalFree(out.pbData);
            }
        }
        return found;
    }
    return {};
}

// Writes Server, User and Password (encrypted with DPAPI; machine scope for
// HKLM, so that a service's account can read it) into HKCU or HKLM. Empty
// arguments leave their value as it is. For the installer (FaxemuSaveSettings).
inline LONG save_settings(const std::wstring& server, const std::wstring& user,
                          const std::wstring& password, bool machine) {
    HKEY root = machine ? HKEY_LOCAL_MACHINE : HKEY_CURRENT_USER;
    HKEY key = nullptr;
    LONG rc = RegCreateKeyExW(root, kSettingsKey, 0, nullptr, 0, KEY_WRITE | KEY_WOW64_64KEY,
                              nullptr, &key, nullptr);
    if (rc != ERROR_SUCCESS) return rc;
    auto text = [&](const wchar_t* name, const std::wstring& value) {
        if (value.empty() || rc != ERROR_SUCCESS) return;
        rc = RegSetValueExW(key, name, 0, REG_SZ, reinterpret_cast<const BYTE*>(value.c_str()),
                            static_cast<DWORD>((value.size() + 1) * sizeof(wchar_t)));
    };
    text(L"Server", server);
    text(L"User", user);
    if (!password.empty() && rc == ERROR_SUCCESS) {
        DATA_BLOB in{static_cast<DWORD>(password.size() * sizeof(wchar_t)),
                     reinterpret_cast<BYTE*>(const_cast<wchar_t*>(password.data()))};
        DATA_BLOB out{};
        DWORD flags = CRYPTPROTECT_UI_FORBIDDEN | (machine ? CRYPTPROTECT_LOCAL_MACHINE : 0);
        if (!CryptProtectData(&in, L"faxemu faxd password", nullptr, nullptr, nullptr, flags,
                              &out)) {
            rc = static_cast<LONG>(GetLastError());
        } else {
            rc = RegSetValueExW(key, L"Password", 0, REG_BINARY, out.pbData, out.cbData);
            LocalFree(out.pbData);
        }
    }
    RegCloseKey(key);
    return rc;
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
    return faxemu::windows::utf8(path);
}

}  // namespace faxemu::shim
