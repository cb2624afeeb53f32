' A legacy client right after faxemu-faxcom-setup.exe, with no other setup: no
' FAXEMU_* variables, Connect "" (this computer's fax server: the installer's
' /SERVER), logged in as the installer's /USER with its DPAPI-kept password.
'   cscript //nologo late_installed.vbs C:\path\doc.tif
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

Dim server, ports, port, doc, jobId
Set server = CreateObject("FaxServer.FaxServer")
Check Err.Number = 0, "CreateObject(""FaxServer.FaxServer"")"
server.Connect ""
Check Err.Number = 0, "Connect """" (the installed server and user)"
Err.Clear
Set ports = server.GetPorts
Check Err.Number = 0 And ports.Count = 2, "GetPorts"
Err.Clear
Set port = ports.Item(1)
Check port.CanModify <> 0, "logged in as the admin (CanModify)"
Set doc = server.CreateDocument(WScript.Arguments(0))
doc.FaxNumber = "5551002"
jobId = doc.Send
Check Err.Number = 0 And jobId > 0, "Send: job " & jobId
Err.Clear

WScript.Echo passed & " passed, " & failed & " failed"
If failed > 0 Then WScript.Quit 1
WScript.Quit 0
