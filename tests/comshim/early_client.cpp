// Early-binding test client of the faxcom shim: CoCreateInstance by CLSID, then
// calls straight through the vtables with the real IIDs (faxcom.h from widl).
//   early_client.exe HOST:PORT C:\path\to\document.tif
// Prints one line per check and ends with "N passed, M failed"; exit 1 on failure.
// clang-format off
#include <windows.h>
#include <ole2.h>
#include <oleauto.h>
// clang-format on

#include <cstdio>
#include <string>

#include "faxcom.h"

static int passed = 0, failed = 0;

static void check(bool ok, const char* what, HRESULT hr = S_OK) {
    if (ok) {
        ++passed;
        std::printf("ok   %s\n", what);
    } else {
        ++failed;
        std::printf("FAIL %s (hr=0x%08lx)\n", what, static_cast<unsigned long>(hr));
    }
    std::fflush(stdout);
}

static std::wstring error_description() {
    IErrorInfo* info = nullptr;
    std::wstring text;
    if (GetErrorInfo(0, &info) == S_OK && info) {
        BSTR d = nullptr;
        if (SUCCEEDED(info->GetDescription(&d)) && d) text.assign(d, SysStringLen(d));
        SysFreeString(d);
        info->Release();
    }
    return text;
}

template <class T>
static T* as(VARIANT& v, REFIID iid) {
    T* out = nullptr;
    if (v.vt == VT_DISPATCH && v.pdispVal)
        v.pdispVal->QueryInterface(iid, reinterpret_cast<void**>(&out));
    VariantClear(&v);
    return out;
}

static std::wstring widen(const char* s) {
    int n = MultiByteToWideChar(CP_ACP, 0, s, -1, nullptr, 0);
    std::wstring w(n ? n - 1 : 0, L'\0');
    MultiByteToWideChar(CP_ACP, 0, s, -1, w.data(), n);
    return w;
}

int main(int argc, char** argv) {
    if (argc < 3) {
        std::printf("usage: early_client HOST:PORT DOCUMENT.tif\n");
        return 2;
    }
    CoInitializeEx(nullptr, COINIT_APARTMENTTHREADED);
    IFaxServer* server = nullptr;
    HRESULT hr = CoCreateInstance(CLSID_FaxServer, nullptr, CLSCTX_INPROC_SERVER, IID_IFaxServer,
                                  reinterpret_cast<void**>(&server));
    check(SUCCEEDED(hr) && server, "CoCreateInstance(CLSID_FaxServer, IID_IFaxServer)", hr);
    if (!server) {
        std::printf("%d passed, %d failed\n", passed, failed + 1);
        return 1;
    }
    ISupportErrorInfo* sei = nullptr;
    hr = server->QueryInterface(IID_ISupportErrorInfo, reinterpret_cast<void**>(&sei));
    check(SUCCEEDED(hr) && sei && sei->InterfaceSupportsErrorInfo(IID_IFaxServer) == S_OK,
          "ISupportErrorInfo for IID_IFaxServer", hr);
    if (sei) sei->Release();

    VARIANT v;
    VariantInit(&v);
    hr = server->GetPorts(&v);
    check(FAILED(hr) && !error_description().empty(),
          "GetPorts before Connect fails with a description", hr);

    BSTR addr = SysAllocString(widen(argv[1]).c_str());
    hr = server->Connect(addr);
    SysFreeString(addr);
    check(SUCCEEDED(hr), "Connect", hr);

    hr = server->GetPorts(&v);
    IFaxPorts* ports = as<IFaxPorts>(v, IID_IFaxPorts);
    check(SUCCEEDED(hr) && ports, "GetPorts -> IFaxPorts", hr);
    LONG count = 0;
    if (ports) ports->get_Count(&count);
    check(count == 2, "Ports.Count == 2");

    hr = ports ? ports->get_Item(count + 1, &v) : E_POINTER;
    check(hr == DISP_E_BADINDEX && !error_description().empty(), "Item(Count+1) -> DISP_E_BADINDEX",
          hr);

    hr = ports ? ports->get_Item(1, &v) : E_POINTER;
    IFaxPort* port = as<IFaxPort>(v, IID_IFaxPort);
    check(SUCCEEDED(hr) && port, "Item(1) -> IFaxPort", hr);
    if (port) {
        BSTR name = nullptr;
        hr = port->get_Name(&name);
        check(SUCCEEDED(hr) && name && SysStringLen(name) > 0, "Port.Name", hr);
        SysFreeString(name);
        BOOL can = FALSE;
        hr = port->get_CanModify(&can);
        check(SUCCEEDED(hr) && can, "Port.CanModify (admin)", hr);
        LONG rings = 0;
        hr = port->put_Rings(6);
        check(SUCCEEDED(hr), "put_Rings(6)", hr);
        hr = port->get_Rings(&rings);
        check(SUCCEEDED(hr) && rings == 6, "get_Rings == 6", hr);
        hr = port->put_Rings(100);
        std::wstring d = error_description();
        check(hr == E_INVALIDARG && d.find(L"Rings") != std::wstring::npos,
              "put_Rings(100) -> E_INVALIDARG naming Rings", hr);
        BSTR csid = SysAllocString(L"+1 555 7000");
        hr = port->put_Csid(csid);
        SysFreeString(csid);
        check(SUCCEEDED(hr), "put_Csid", hr);
        csid = nullptr;
        hr = port->get_Csid(&csid);
        check(SUCCEEDED(hr) && csid && std::wstring(csid) == L"+1 555 7000", "get_Csid", hr);
        SysFreeString(csid);

        hr = port->GetStatus(&v);
        IFaxStatus* status = as<IFaxStatus>(v, IID_IFaxStatus);
        check(SUCCEEDED(hr) && status, "GetStatus -> IFaxStatus", hr);
        if (status) {
            LONG id = -1;
            hr = status->Refresh();
            check(SUCCEEDED(hr), "Status.Refresh", hr);
            status->get_DeviceId(&id);
            LONG pid = -2;
            port->get_DeviceId(&pid);
            check(id == pid, "Status.DeviceId == Port.DeviceId");
            status->Release();
        }
        port->Release();
    }
    if (ports) ports->Release();

    BSTR file = SysAllocString(widen(argv[2]).c_str());
    hr = server->CreateDocument(file, &v);
    SysFreeString(file);
    IFaxDoc* doc = as<IFaxDoc>(v, IID_IFaxDoc);
    check(SUCCEEDED(hr) && doc, "CreateDocument -> IFaxDoc", hr);
    LONG job_id = 0;
    if (doc) {
        hr = doc->Send(&job_id);
        check(hr == E_INVALIDARG && error_description().find(L"FaxNumber") != std::wstring::npos,
              "Send without FaxNumber -> E_INVALIDARG naming FaxNumber", hr);
        BSTR number = SysAllocString(L"5551002");
        doc->put_FaxNumber(number);
        SysFreeString(number);
        BSTR display = SysAllocString(L"early binding test");
        doc->put_DisplayName(display);
        SysFreeString(display);
        hr = doc->Send(&job_id);
        check(SUCCEEDED(hr) && job_id > 0, "Send -> job id", hr);
        doc->Release();
    }
    // Wait for the job to leave the active queue, then check its final state.
    bool found_final = false;
    for (int i = 0; i < 600 && job_id > 0; ++i) {
        hr = server->GetJobs(&v);
        IFaxJobs* jobs = as<IFaxJobs>(v, IID_IFaxJobs);
        bool active = false;
        LONG n = 0;
        if (jobs) jobs->get_Count(&n);
        for (LONG k = 1; k <= n; ++k) {
            if (FAILED(jobs->get_Item(k, &v))) continue;
            IFaxJob* job = as<IFaxJob>(v, IID_IFaxJob);
            LONG id = 0;
            if (job) {
                job->get_JobId(&id);
                job->Release();
            }
            if (id == job_id) active = true;
        }
        if (jobs) jobs->Release();
        if (!active) {
            found_final = true;
            break;
        }
        Sleep(100);
    }
    check(found_final, "job left the active queue");

    hr = server->put_Retries(4);
    LONG retries = 0;
    HRESULT hr2 = server->get_Retries(&retries);
    check(SUCCEEDED(hr) && SUCCEEDED(hr2) && retries == 4, "Server Retries put/get", hr);
    short hour = -1;
    hr = server->get_DiscountRateStartHour(&hour);
    check(SUCCEEDED(hr) && hour >= 0 && hour <= 23, "Server DiscountRateStartHour (short)", hr);

    hr = server->Disconnect();
    check(SUCCEEDED(hr), "Disconnect", hr);
    server->Release();
    CoUninitialize();
    std::printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
