// The fixture of the modem interop tests: faxmodem gives a bank of virtual modems
// on pseudo-terminals joined by one virtual exchange (in real time, sped up); faxd
// drives one of them as a modem port, and a third-party fax program (efax, mgetty's
// sendfax, HylaFAX) drives another, exactly as it would drive a real modem.
#pragma once

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>
#include <tiffio.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>

#include "core/documents/page_header.hpp"
#include "core/image_compare.hpp"
#include "tests/support/efax.hpp"
#include "tests/support/process.hpp"
#include "tests/tools/faxd_harness.hpp"

namespace faxemu::test {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using json = nlohmann::json;

// Line time per wall time (efax breaks above 16x, and its Class 2 mode needs a page
// to take a whole second of wall time); FAXEMU_TEST_SPEED overrides it.
inline std::string speed_or(const char* fallback) {
    const char* s = std::getenv("FAXEMU_TEST_SPEED");
    return s ? s : fallback;
}
inline constexpr const char* kFarNumber = "5550001";   // the third-party program's modem
inline constexpr const char* kFaxdNumber = "5550002";  // faxd's modem

class ModemInterop : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!fs::exists(test::kEfax)) GTEST_SKIP() << "efax is not installed (Debian package efax)";
        name_files();
    }
    void name_files() {
        far_link_ = dir_.path() / "ttyFAX0";
        faxd_link_ = dir_.path() / "ttyFAX1";
        faxmodem_log_ = dir_.path() / "faxmodem.log";
        far_log_ = dir_.path() / "far.log";
    }
    void TearDown() override {
        faxd_.reset();
        if (faxmodem_) faxmodem_->signal(SIGTERM);
    }

    // Two virtual modems of the given classes ("1", "2", "2.0", "all").
    void start_faxmodem(const std::string& far_class, const std::string& faxd_class,
                        const char* speed = "4") {
        speed_ = speed_or(speed);
        faxmodem_ = std::make_unique<test::Process>(
            std::vector<std::string>{
                FAXMODEM_PATH, "--modem",
                far_link_.string() + "=" + kFarNumber + ",class=" + far_class, "--modem",
                faxd_link_.string() + "=" + kFaxdNumber + ",class=" + faxd_class, "--speed",
                speed_},
            faxmodem_log_);
        ASSERT_TRUE(
            test::wait_for_text(faxmodem_log_, "ready: modem " + std::string(kFaxdNumber), 10s))
            << test::read_text(faxmodem_log_);
    }

    // faxd with one modem port on faxd's virtual modem; `adjust` may change the port.
    void start_faxd(const std::string& fax_class,
                    const std::function<void(faxd::PortConfig&)>& adjust = {}) {
        // Everything the port needs exists before faxd starts: faxd probes the
        // modem at once, and a port that fails its first probe waits 30 s.
        fs::create_directories(dir_.path() / "lock");
        faxd_ = std::make_unique<test::FaxdHarness>([&](faxd::Config& c) {
            faxd::PortConfig p;
            p.name = "Modem";
            p.kind = "modem";
            p.device = faxd_link_;
            p.modem_class = fax_class;
            p.lock_dir = dir_.path() / "lock";
            p.rings = 1;
            p.csid = "FAXEMU";
            p.tsid = "FAXEMU";
            if (adjust) adjust(p);
            c.ports = {p};
            if (const char* level = std::getenv("FAXEMU_TEST_LOG"))
                spdlog::set_level(spdlog::level::from_str(level));
        });
        admin_ = faxd_->client("admin");
        // The port becomes available once the driver has probed the modem and
        // says which class it drives.
        json status, port;
        ASSERT_TRUE(test::wait_for(
            *admin_,
            [&] {
                status = admin_->call("port.status", {{"device_id", 1}});
                port = port_info();
                return status["device_status_text"] == "Available" &&
                       port["device"].get<std::string>().find("Class ") != std::string::npos;
            },
            20s))
            << status.dump(2) << port.dump(2) << logs();
    }

    virtual std::string logs() const {
        return "\n--- faxmodem ---\n" + test::read_text(faxmodem_log_) + "--- far end ---\n" +
               test::read_text(far_log_);
    }

    // The one received fax, once routed, fetched back from faxd.
    std::vector<BilevelPage> received_fax() {
        json faxes;
        EXPECT_TRUE(test::wait_for(
            *admin_,
            [&] {
                faxes = admin_->call("received.list");
                return faxes.size() == 1 && faxes[0]["status"] != "receiving";
            },
            60s))
            << faxes.dump(2) << logs();
        if (faxes.size() != 1) return {};
        EXPECT_EQ(faxes[0]["status"], "completed") << faxes.dump(2) << logs();
        std::vector<std::uint8_t> bytes;
        for (std::int64_t offset = 0;;) {
            json chunk =
                admin_->call("received.fetch", {{"id", faxes[0]["id"]}, {"offset", offset}});
            auto data = rpc::base64_decode(chunk["data"].get<std::string>());
            bytes.insert(bytes.end(), data->begin(), data->end());
            offset += static_cast<std::int64_t>(data->size());
            if (chunk["eof"]) break;
        }
        const fs::path file = dir_.path() / "fetched.tif";
        std::ofstream(file, std::ios::binary)
            .write(reinterpret_cast<const char*>(bytes.data()),
                   static_cast<std::streamsize>(bytes.size()));
        return read_bilevel_pages(file);
    }

    // efax sends the first `pages` pages of `doc` to faxd, which must receive them
    // pixel for pixel (below efax's blank header band).
    void efax_sends(const std::string& efax_class, const fs::path& doc, std::size_t pages) {
        const auto files = test::efax_pages(doc, dir_.path(), pages);
        std::vector<std::string> argv{
            test::kEfax, "-d", far_link_.string(), efax_class, "-v", "ewinchr", "-h", "", "-l",
            "EFAX",      "-t", kFaxdNumber};
        argv.insert(argv.end(), files.begin(), files.end());
        const auto start = std::chrono::steady_clock::now();
        test::Process efax(argv, far_log_);
        ASSERT_EQ(efax.wait(), 0) << logs();
        const auto got = received_fax();
        std::printf("efax %s sent %zu page(s) to faxd in %.1f s wall at %sx\n", efax_class.c_str(),
                    files.size(),
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
                    speed_.c_str());
        ASSERT_EQ(got.size(), files.size()) << logs();
        const auto want = read_bilevel_pages(doc);
        for (std::size_t i = 0; i < got.size(); ++i) {
            SCOPED_TRACE("page " + std::to_string(i + 1));
            EXPECT_TRUE(test::expect_sent_by_efax(want[i], got[i]).has_value()) << logs();
        }
    }

    // faxd sends `doc` to efax, which answers on its modem; pixel for pixel
    // below the page header (Branding is on by default), which has ink.
    void faxd_sends_to_efax(const std::string& efax_class, const fs::path& doc) {
        const fs::path prefix = dir_.path() / "rx" / "fax";
        fs::create_directories(prefix.parent_path());
        test::Process efax({test::kEfax, "-d", far_link_.string(), efax_class, "-v", "ewinchr",
                            "-r", prefix.string()},
                           far_log_);
        // efax answers at once (ATA); the virtual modem then waits off hook for a call.
        ASSERT_TRUE(test::wait_for_text(faxmodem_log_, "off hook, waiting for a call", 10s))
            << logs();
        const auto start = std::chrono::steady_clock::now();
        ASSERT_FALSE(faxd_sends_to_far_end(doc, 90s).is_null());
        EXPECT_EQ(efax.wait(), 0) << logs();
        std::printf("faxd sent %s to efax %s in %.1f s wall at %sx\n", doc.filename().c_str(),
                    efax_class.c_str(),
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
                    speed_.c_str());
        const auto got = test::efax_received(prefix);
        ASSERT_FALSE(got.empty()) << logs();
        const fs::path joined = dir_.path() / "efax-received.tif";
        write_bilevel_pages(joined, got, COMPRESSION_CCITTFAX4);
        const ImageComparison cmp = compare_fax_images_below_band(doc, joined, kPageHeaderBandMm);
        EXPECT_TRUE(cmp.equal) << cmp.detail << logs();
    }

    // faxd sends `doc` to the far end's modem; its job once over, which must have
    // completed; null (and a failure) if it is not over by the deadline.
    json faxd_sends_to_far_end(const fs::path& doc, std::chrono::seconds deadline) {
        json job = admin_->call("job.submit", {{"number", kFarNumber},
                                               {"document", test::document_base64(doc)},
                                               {"display_name", doc.filename().string()}});
        const std::int64_t id = job["job_id"];
        if (!test::wait_for(
                *admin_,
                [&] {
                    job = admin_->call("job.get", {{"job_id", id}});
                    const std::string s = job["state"];
                    return s != "converting" && s != "queued" && s != "in_progress" &&
                           s != "retrying";
                },
                deadline)) {
            ADD_FAILURE() << "the job is not over\n" << job.dump(2) << logs();
            return json();
        }
        EXPECT_EQ(job["state"], "completed") << job.dump(2) << logs();
        return job;
    }

    json port_info() { return admin_->call("port.get", {{"device_id", 1}}); }

    // mgetty's sendfax (Class 2 or 2.0) sends `doc` to faxd, pixel for pixel. It
    // takes raw G3 pages made by mgetty's own pbm2g3, and the modem on stdin (-S).
    void sendfax_sends(const std::string& sendfax_class, const fs::path& doc) {
        if (!fs::exists("/usr/sbin/sendfax") || !fs::exists("/usr/bin/pbm2g3"))
            GTEST_SKIP() << "mgetty's sendfax is not installed (Debian package mgetty-fax)";
        std::string cmd = "exec /usr/sbin/sendfax -v -S -C " + sendfax_class + " " + kFaxdNumber;
        for (const std::string& pbm : test::efax_pages(doc, dir_.path())) {
            const std::string g3 = fs::path(pbm).replace_extension(".g3").string();
            std::string out;
            ASSERT_EQ(
                test::run({"/bin/sh", "-c", "exec /usr/bin/pbm2g3 '" + pbm + "' > '" + g3 + "'"},
                          out, dir_.path()),
                0)
                << out;
            cmd += " '" + g3 + "'";
        }
        cmd += " 0<>'" + far_link_.string() + "'";
        const auto start = std::chrono::steady_clock::now();
        std::string out;
        EXPECT_EQ(test::run({"/bin/sh", "-c", cmd}, out, dir_.path()), 0) << out << logs();
        const auto got = received_fax();
        std::printf("sendfax -C %s sent %s to faxd in %.1f s wall at %sx\n", sendfax_class.c_str(),
                    doc.filename().c_str(),
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
                    speed_.c_str());
        ASSERT_FALSE(got.empty()) << out << logs();
        const fs::path file = dir_.path() / "received.tif";
        write_bilevel_pages(file, got, COMPRESSION_CCITTFAX4);
        const ImageComparison cmp = compare_fax_images(doc, file);
        EXPECT_TRUE(cmp.equal) << cmp.detail << out << logs();
    }

    test::TempDir dir_;
    std::string speed_;
    fs::path far_link_, faxd_link_, faxmodem_log_, far_log_;
    std::unique_ptr<test::Process> faxmodem_;
    std::unique_ptr<test::FaxdHarness> faxd_;
    std::unique_ptr<rpc::FaxClient> admin_;
};

}  // namespace faxemu::test
