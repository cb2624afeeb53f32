// A small scripted Class 2 / 2.0 DTE for in-process tests: it talks to a
// Class2Engine through host_bytes/set_host_writer and steps the exchange (virtual
// time) while it waits, so the host always answers "at once" in line time.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "devices/virtual_exchange.hpp"
#include "devices/virtual_modem/modem_engine.hpp"

namespace faxemu::test {

class ScriptedHost {
  public:
    ScriptedHost(VirtualExchange& exchange, ModemEngine& modem)
        : exchange_(exchange), modem_(modem) {
        modem_.set_host_writer([this](const std::uint8_t* d, std::size_t n) {
            rx_.insert(rx_.end(), d, d + n);
            transcript_.append(reinterpret_cast<const char*>(d), n);
        });
    }

    void write(const std::vector<std::uint8_t>& bytes) {
        modem_.host_bytes(bytes.data(), bytes.size());
    }
    void write(const std::string& s) { write(std::vector<std::uint8_t>(s.begin(), s.end())); }

    // Sends "AT<cmd>\r" and waits for a final result; returns all lines up to it.
    std::vector<std::string> command(const std::string& cmd,
                                     Duration limit = std::chrono::seconds(5)) {
        write("AT" + cmd + "\r");
        return wait_final(limit);
    }

    // Steps the exchange until a final result code arrives (or the limit passes:
    // then the last line is "TIMEOUT").
    std::vector<std::string> wait_final(Duration limit) {
        std::vector<std::string> lines;
        const TimePoint end = exchange_.clock().now() + limit;
        for (;;) {
            while (auto l = next_line()) {
                lines.push_back(*l);
                if (is_final(*l)) return lines;
            }
            if (exchange_.clock().now() >= end) {
                lines.push_back("TIMEOUT");
                return lines;
            }
            exchange_.step();
        }
    }

    // Waits for one raw byte (e.g. XON after CONNECT); false on timeout.
    bool wait_byte(std::uint8_t b, Duration limit) {
        const TimePoint end = exchange_.clock().now() + limit;
        for (;;) {
            for (std::size_t i = 0; i < rx_.size(); ++i)
                if (rx_[i] == b) {
                    rx_.erase(rx_.begin(), rx_.begin() + static_cast<std::ptrdiff_t>(i) + 1);
                    return true;
                }
            if (exchange_.clock().now() >= end) return false;
            exchange_.step();
        }
    }

    // After CONNECT to +FDR: reads DLE-stuffed data up to DLE ETX.
    bool read_page(std::vector<std::uint8_t>& page, Duration limit) {
        const TimePoint end = exchange_.clock().now() + limit;
        page.clear();
        std::size_t i = 0;
        for (;;) {
            while (i < rx_.size()) {
                const std::uint8_t b = rx_[i++];
                if (b != 0x10) {
                    page.push_back(b);
                    continue;
                }
                if (i >= rx_.size()) {
                    --i;
                    break;
                }
                const std::uint8_t n = rx_[i++];
                if (n == 0x03) {
                    rx_.erase(rx_.begin(), rx_.begin() + static_cast<std::ptrdiff_t>(i));
                    return true;
                }
                if (n == 0x10) page.push_back(0x10);
            }
            if (exchange_.clock().now() >= end) return false;
            exchange_.step();
        }
    }

    // Page data with DLEs doubled.
    static std::vector<std::uint8_t> stuff(const std::vector<std::uint8_t>& data) {
        std::vector<std::uint8_t> out;
        for (std::uint8_t b : data) {
            out.push_back(b);
            if (b == 0x10) out.push_back(0x10);
        }
        return out;
    }

    static bool has(const std::vector<std::string>& lines, const std::string& prefix) {
        for (const auto& l : lines)
            if (l.rfind(prefix, 0) == 0) return true;
        return false;
    }
    static std::string find(const std::vector<std::string>& lines, const std::string& prefix) {
        for (const auto& l : lines)
            if (l.rfind(prefix, 0) == 0) return l.substr(prefix.size());
        return {};
    }

    const std::string& transcript() const { return transcript_; }

  private:
    static bool is_final(const std::string& l) {
        return l == "OK" || l == "ERROR" || l == "CONNECT" || l == "NO CARRIER" || l == "BUSY" ||
               l == "NO ANSWER" || l == "NO DIALTONE";
    }
    std::optional<std::string> next_line() {
        for (;;) {
            std::size_t i = 0;
            while (i < rx_.size() && (rx_[i] == '\r' || rx_[i] == '\n')) ++i;
            rx_.erase(rx_.begin(), rx_.begin() + static_cast<std::ptrdiff_t>(i));
            std::size_t j = 0;
            while (j < rx_.size() && rx_[j] != '\r' && rx_[j] != '\n') ++j;
            if (j >= rx_.size()) return std::nullopt;
            std::string l(rx_.begin(), rx_.begin() + static_cast<std::ptrdiff_t>(j));
            // The line and its terminator: what follows CONNECT may be page data.
            if (j < rx_.size() && rx_[j] == '\r') ++j;
            if (j < rx_.size() && rx_[j] == '\n') ++j;
            rx_.erase(rx_.begin(), rx_.begin() + static_cast<std::ptrdiff_t>(j));
            // Raw flow-control bytes before a line are not part of it.
            while (!l.empty() && (l[0] == 0x11 || l[0] == 0x13)) l.erase(0, 1);
            if (!l.empty()) return l;
        }
    }

    VirtualExchange& exchange_;
    ModemEngine& modem_;
    std::vector<std::uint8_t> rx_;
    std::string transcript_;
};

}  // namespace faxemu::test
