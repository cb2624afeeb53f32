' Connecting over tls:// (Schannel) as faxd's admin (FAXEMU_USER/FAXEMU_PASSWORD).
'   cscript //nologo late_tls.vbs send tls://HOST:PORT C:\path\doc.tif
'     Connect works (faxd's certificate chains to the CA the shim trusts and
'     names HOST), then a fax is sent to 5551002.
'   cscript //nologo late_tls.vbs refused tls://HOST:PORT TEXT
'     Connect fails, and its description says why: it contains TEXT.
' Prints "N passed, M failed".
Option Explicit
On Error Resume Next

Dim passed, failed
passed = 0
failed = 0

Sub Check(ok, what)
    If ok Then
        passed = passed + 1
        WScript.Echo "ok   " & what
    Else
        failed = failed + 1
        WScript.Echo "FAIL " & what & " (Err " & Hex(Err.Number) & ": " & Err.Description & ")"
    End If
End Sub

Dim mode, address, server, ports, doc, jobId
mode = WScript.Arguments(0)
address = WScript.Arguments(1)
Set server = CreateObject("FaxServer.FaxServer")
Check Err.Number = 0, "CreateObject"

Select Case mode
Case "send"
    server.Connect address
    Check Err.Number = 0, "Connect " & address
    Err.Clear
    Set ports = server.GetPorts
    Check Err.Number = 0 And ports.Count = 2, "GetPorts over TLS"
    Err.Clear
    Set doc = server.CreateDocument(WScript.Arguments(2))
    doc.FaxNumber = "5551002"
    jobId = doc.Send
    Check Err.Number = 0 And jobId > 0, "Send over TLS: job " & jobId
    Err.Clear
Case "refused"
    server.Connect address
    Check Err.Number <> 0 And InStr(1, Err.Description, WScript.Arguments(2), 1) > 0, _
        "Connect " & address & " refused: " & Err.Description
    Err.Clear
    Set ports = server.GetPorts
    Check Err.Number <> 0, "not connected after the refusal"
    Err.Clear
Case Else
    Check False, "unknown mode " & mode
End Select

WScript.Echo passed & " passed, " & failed & " failed"
If failed > 0 Then WScript.Quit 1
WScript.Quit 0
