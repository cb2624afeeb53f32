// tools/run demo [DOCUMENT]: a fax server with two simulated ports on the virtual
// exchange sends DOCUMENT from port 1 to port 2's number, shows the call as it
// goes, receives it, and checks the received pages against the sent ones pixel
// for pixel. Exit status 0 only when they are identical.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <map>

#include "core/document.hpp"
#include "core/error.hpp"
#include "core/image_compare.hpp"
#include "devices/simulated_site.hpp"

namespace fs = std::filesystem;
using namespace faxemu;

namespace {

fs::path make_spool(const std::string& requested) {
    if (!requested.empty()) {
        fs::create_directories(requested);
        return requested;
    }
    std::string tmpl = (fs::temp_directory_path() / "faxemu-demo-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("cannot create a spool directory");
    return tmpl;
}

void print_status(const PortStatus& s, double line_seconds) {
    fmt::print("[{:7.1f}s] port {} ({}): {}\n", line_seconds, s.device_id, s.device_name,
               s.description);
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"faxemu demo: a fax sent and received between two simulated ports"};
    std::string document =
        std::string(FAXEMU_SOURCE_DIR) + "/fixtures/documents/letter-fine-mmr.tif";
    std::string spool;
    double speed = 0;
    bool ecm = true;
    std::string modem = "any";
    app.add_option("document", document, "a bilevel TIFF (multi-page, any fax coding)")
        ->check(CLI::ExistingFile);
    app.add_option("--spool", spool, "spool directory (default: a new temporary directory)");
    app.add_option("--speed", speed, "line-time speed: 0 = as fast as possible, 1 = real time");
    app.add_option("--ecm", ecm, "use error correction mode (true/false)");
    app.add_option("--modem", modem, "limit the modems: any, V.17, V.29, V.27ter")
        ->check(CLI::IsMember({"any", "V.17", "V.29", "V.27ter"}));
    CLI11_PARSE(app, argc, argv);

    try {
        const fs::path spool_dir = make_spool(spool);
        fmt::print("spool: {}\n", spool_dir.string());

        // The document is checked and made fax-shaped before anything dials.
        Document doc = Document::open(document);
        fs::create_directories(spool_dir / "outgoing");
        const fs::path sent = spool_dir / "outgoing" / "demo.tif";
        for (const std::string& note : doc.write_fax_tiff(sent)) fmt::print("document: {}\n", note);
        fmt::print("document: {} ({} page{})\n", document, doc.page_count(),
                   doc.page_count() == 1 ? "" : "s");

        SimulatedSite site(spool_dir, 2);
        site.exchange.set_speed(speed);
        const int modems = modem == "V.17"      ? static_cast<int>(Modem::V17)
                           : modem == "V.29"    ? static_cast<int>(Modem::V29)
                           : modem == "V.27ter" ? static_cast<int>(Modem::V27ter)
                                                : kAllModems;
        for (int i = 0; i < 2; ++i) {
            SessionConfig& options =
                site.service.controller(site.port(i).DeviceId()).session_options();
            options.ecm = ecm;
            options.modems = modems;
        }
        // Port 2 only receives, so the send goes out on port 1.
        site.port(1).put_Send(CallerRights::admin(), false);

        SendRequest request;
        request.number = SimulatedSite::number(1);
        request.document = sent;
        request.document_name = fs::path(document).filename().string();
        request.document_size = static_cast<std::int64_t>(fs::file_size(sent));
        request.page_count = static_cast<int>(doc.page_count());
        request.sender_name = "faxemu demo";
        request.submitted_time = site.clock.now();

        const TimePoint line_start = site.clock.now();
        const auto wall_start = std::chrono::steady_clock::now();
        const std::clock_t cpu_start = std::clock();
        auto line_seconds = [&] {
            return std::chrono::duration<double>(site.clock.now() - line_start).count();
        };

        std::map<std::int32_t, std::string> shown;
        auto show_changes = [&] {
            for (Port* p : site.server.ports()) {
                PortStatus s = p->GetStatus(site.clock);
                if (shown[s.device_id] == s.description) continue;
                shown[s.device_id] = s.description;
                print_status(s, line_seconds());
            }
        };
        site.exchange.on_tick(show_changes);

        const std::int32_t port_id = site.service.send(request);
        fmt::print("sending to {} on port {}\n", request.number, port_id);
        show_changes();
        if (!site.run_until_idle()) {
            std::cerr << "error: the call did not finish within two hours of line time\n";
            return 1;
        }
        const double cpu = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
        const double wall =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();

        int rc = 0;
        const CallRecord* received = nullptr;
        for (const CallRecord& rec : site.calls()) {
            fmt::print(
                "{} call on port {}: {} — {} page{}, {} bit/s {} {} {}{}, remote id \"{}\"\n",
                rec.outbound ? "outbound" : "inbound", rec.device_id,
                rec.outcome.ok() ? "completed" : rec.outcome.cause_text, rec.pages,
                rec.pages == 1 ? "" : "s", rec.session.bit_rate, rec.session.modem,
                rec.session.resolution, rec.session.compression, rec.session.ecm ? " ECM" : "",
                rec.remote_ident);
            if (!rec.outcome.ok()) rc = 1;
            if (!rec.outbound) received = &rec;
        }
        for (Port* p : site.server.ports()) {
            PortStatus s = p->GetStatus(site.clock);
            fmt::print("status of port {} ({}): {} — {}\n", s.device_id, s.device_name,
                       to_string(s.device_status), s.description);
        }
        if (!received) {
            std::cerr << "error: nothing was received\n";
            return 1;
        }
        fmt::print("received: {}\n", received->file.string());
        ImageComparison cmp = compare_fax_images(sent, received->file);
        fmt::print("compare: {} — {}\n", cmp.equal ? "identical" : "DIFFERENT", cmp.detail);
        fmt::print("line time {:.1f} s, wall {:.3f} s, cpu {:.3f} s ({:.0f}x real time)\n",
                   line_seconds(), wall, cpu, wall > 0 ? line_seconds() / wall : 0.0);
        return cmp.equal ? rc : 1;
    } catch (const FaxError& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 2;
    }
}
