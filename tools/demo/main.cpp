// tools/run demo [DOCUMENT]: the main job of faxemu, end to end. A faxd on its
// two simulated ports (in this process, on a temporary spool) is asked over its
// control protocol to send DOCUMENT from port 1 to port 2's number; the demo
// shows the ports' status as the call goes, the fax is received and routed into
// a folder, fetched back through the protocol and compared pixel for pixel with
// what was sent. Exit status 0 only when the fax arrived identical. The web
// console is on too: the demo prints its address and a login made for it
// (--web-wait keeps faxd up for it after the fax, until Enter).
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include "core/documents/document.hpp"
#include "core/documents/page_header.hpp"
#include "core/image_compare.hpp"
#include "core/protocol/base64.hpp"
#include "core/protocol/client.hpp"
#include "core/protocol/json_rpc.hpp"
#include "core/protocol/submit.hpp"
#include "core/routing_method.hpp"
#include "core/users.hpp"
#include "tools/faxd/daemon.hpp"
#include "tools/faxd/web_sessions.hpp"

namespace fs = std::filesystem;
using namespace faxemu;
using json = nlohmann::json;

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

std::vector<std::uint8_t> read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(path.string() + ": cannot read");
    return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), {});
}

bool final_state(const std::string& s) {
    return s == "completed" || s == "failed" || s == "retries_exceeded" || s == "cancelled";
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{
        "faxemu demo: faxd on two simulated ports sends, receives, routes and shows a fax"};
    std::string document =
        std::string(FAXEMU_SOURCE_DIR) + "/fixtures/documents/letter-fine-mmr.tif";
    std::string spool;
    double speed = 0;
    bool ecm = true;
    std::string modulation = "any";
    std::string web = "127.0.0.1:0";
    bool web_wait = false;
    app.add_option("document", document, "a bilevel TIFF (multi-page, any fax coding)")
        ->check(CLI::ExistingFile);
    app.add_option("--spool", spool, "spool directory (default: a new temporary directory)");
    app.add_option("--speed", speed, "line-time speed: 0 = as fast as possible, 1 = real time");
    app.add_option("--ecm", ecm, "use error correction mode (true/false)");
    app.add_option("--modem", modulation, "limit the modulation: any, V.17, V.29, V.27ter")
        ->check(CLI::IsMember({"any", "V.17", "V.29", "V.27ter"}));
    app.add_option("--web", web, "the web console's HOST:PORT (\"\": off; port 0: any free one)");
    app.add_flag("--web-wait", web_wait, "after the fax, keep faxd and its console up until Enter");
    CLI11_PARSE(app, argc, argv);

    std::unique_ptr<faxd::Daemon> daemon;
    std::thread server;
    auto stop_server = [&] {
        if (!daemon) return;
        daemon->stop();
        server.join();
        daemon.reset();
    };
    int rc = 1;
    try {
        const fs::path spool_dir = make_spool(spool);
        fmt::print("spool: {}\n", spool_dir.string());

        // What the server will make of the document, to compare against at the end.
        Document doc = Document::open(document);
        const fs::path expected = spool_dir / "expected.tif";
        for (const std::string& note : doc.write_fax_tiff(expected))
            fmt::print("document: {}\n", note);
        fmt::print("document: {} ({} page{})\n", document, doc.page_count(),
                   doc.page_count() == 1 ? "" : "s");

        faxd::Config config = faxd::default_config();
        config.spool = spool_dir / "faxd";
        config.listen = "";                      // the demo talks to faxd over its Unix socket only
        spdlog::set_level(spdlog::level::warn);  // the demo shows what a client sees
        config.line_speed = speed;
        for (faxd::PortConfig& p : config.ports) {
            p.ecm = ecm;
            if (modulation == "V.17") p.modulations = static_cast<int>(Modulation::V17);
            if (modulation == "V.29") p.modulations = static_cast<int>(Modulation::V29);
            if (modulation == "V.27ter") p.modulations = static_cast<int>(Modulation::V27ter);
        }
        config.ports[1].send = false;  // port 2 only receives: the send goes out on port 1
        const fs::path inbox = spool_dir / "inbox";
        fs::create_directories(inbox);
        config.ports[1].routing.push_back({std::string(kFolderRoutingGuid), true, inbox.string()});
        // The console's login: an admin made for this run, with a fresh password.
        const std::string web_password = faxd::random_token().substr(0, 16);
        if (!web.empty()) {
            UsersFile users;
            users.add("demo", "admin", web_password);
            config.users = spool_dir / "users.json";
            users.save(config.users);
            config.web_listen = web;
        }
        daemon = std::make_unique<faxd::Daemon>(config);
        server = std::thread([&] { daemon->run(); });
        if (daemon->web_port() != 0)
            fmt::print("web console: http://{}:{}/ (log in as demo, password {})\n",
                       web.substr(0, web.rfind(':')), daemon->web_port(), web_password);

        rpc::FaxClient client;
        client.connect("unix:" + daemon->socket_path().string());
        std::mutex m;
        std::condition_variable cv;
        std::map<int, std::string> shown;
        const auto start = std::chrono::steady_clock::now();
        client.set_notification_handler([&](const std::string& method, const json& params) {
            std::lock_guard lock(m);
            if (method == "port.status") {
                const json& s = params["status"];
                const int id = s["device_id"];
                const std::string text = s["description"];
                if (shown[id] != text) {
                    shown[id] = text;
                    fmt::print(
                        "[{:6.3f}s] port {} ({}): {}\n",
                        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
                            .count(),
                        id, s["device_name"].get<std::string>(), text);
                }
            }
            cv.notify_all();
        });

        json job =
            rpc::submit_and_wait(client, {{"number", "5551002"},
                                          {"document", rpc::base64_encode(read_file(document))},
                                          {"display_name", fs::path(document).filename().string()},
                                          {"sender_name", "faxemu demo"}});
        const std::int64_t job_id = job["job_id"];
        fmt::print("job {}: {} page(s) queued for 5551002\n", job_id, job["page_count"].get<int>());

        // Wait for the job to finish and the received fax to be routed.
        json fax;
        {
            std::unique_lock lock(m);
            const auto deadline = std::chrono::steady_clock::now() + std::chrono::hours(2);
            for (;;) {
                lock.unlock();
                job = client.call("job.get", {{"job_id", job_id}});
                json faxes = client.call("received.list");
                lock.lock();
                bool routed = !faxes.empty() && faxes.back()["end"] != "";
                if (routed)
                    for (const json& r : faxes.back()["routing"]) routed = routed && r["tries"] > 0;
                if (final_state(job["state"]) && (routed || job["state"] != "completed")) {
                    if (!faxes.empty()) fax = faxes.back();
                    break;
                }
                if (std::chrono::steady_clock::now() > deadline)
                    throw std::runtime_error("the fax did not finish within two hours");
                cv.wait_for(lock, std::chrono::milliseconds(200));
            }
        }
        fmt::print("job {}: {} — {} of {} page(s) sent in {} attempt(s){}\n", job_id,
                   job["queue_status_text"].get<std::string>(), job["pages_sent"].get<int>(),
                   job["page_count"].get<int>(), job["attempts"].get<int>(),
                   job["last_error"].get<std::string>().empty()
                       ? ""
                       : " (" + job["last_error"].get<std::string>() + ")");
        for (const json& p : client.call("ports.list")) {
            json s = client.call("port.status", {{"device_id", p["device_id"]}});
            fmt::print("status of port {} ({}): {} — {}\n", s["device_id"].get<int>(),
                       s["device_name"].get<std::string>(),
                       s["device_status_text"].get<std::string>(),
                       s["description"].get<std::string>());
        }
        if (fax.is_null()) throw std::runtime_error("nothing was received");
        fmt::print("received fax {}: {} page(s) from \"{}\" at {} bit/s, {}, {} — {}\n",
                   fax["id"].get<int>(), fax["pages"].get<int>(),
                   fax["remote_ident"].get<std::string>(), fax["bit_rate"].get<int>(),
                   fax["resolution"].get<std::string>(), fax["compression"].get<std::string>(),
                   fax["status"].get<std::string>());
        for (const json& r : fax["routing"]) {
            const RoutingMethodInfo* info = find_routing_method(r["guid"].get<std::string>());
            fmt::print("routed: {}: {} — {}\n",
                       info ? info->friendly_name : r["guid"].get<std::string>(),
                       r["done"].get<bool>() ? "done" : "FAILED", r["detail"].get<std::string>());
        }

        // Fetch it back through the protocol, as any client would.
        const fs::path received =
            spool_dir / fmt::format("received-fax-{}.tif", fax["id"].get<int>());
        {
            std::ofstream out(received, std::ios::binary);
            for (std::int64_t offset = 0;;) {
                json chunk = client.call("received.fetch", {{"id", fax["id"]}, {"offset", offset}});
                auto bytes = rpc::base64_decode(chunk["data"].get<std::string>());
                if (!bytes) throw std::runtime_error("faxd sent a chunk that is not base64");
                out.write(reinterpret_cast<const char*>(bytes->data()),
                          static_cast<std::streamsize>(bytes->size()));
                offset += static_cast<std::int64_t>(bytes->size());
                if (chunk["eof"].get<bool>() || bytes->empty()) break;
            }
        }
        client.close();
        if (web_wait && daemon->web_port() != 0) {
            fmt::print("web console: http://{}:{}/ is up; press Enter to stop faxd\n",
                       web.substr(0, web.rfind(':')), daemon->web_port());
            std::string line;
            std::getline(std::cin, line);
        }
        stop_server();
        fmt::print("received: {}\n", received.string());
        // Branding (on by default) stamps a header into each page's top band.
        ImageComparison cmp = compare_fax_images_below_band(expected, received, kPageHeaderBandMm);
        fmt::print("compare: {} — {}\n", cmp.equal ? "identical" : "DIFFERENT", cmp.detail);
        rc = cmp.equal && job["state"] == "completed" ? 0 : 1;
    } catch (const rpc::RpcError& e) {
        std::cerr << "error: " << e.what() << "\n";
        rc = 2;
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        rc = 2;
    }
    stop_server();
    return rc;
}
