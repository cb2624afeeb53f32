' Re-connecting after faxd goes away, as seen by a legacy script that keeps its
' objects (FAXEMU_USER/FAXEMU_PASSWORD: the admin).
'   cscript //nologo late_reconnect.vbs HOST:PORT C:\path\doc.tif SIGNAL_FOLDER
' The harness (comshim/test.sh) acts between the steps: the script creates
' SIGNAL_FOLDER\readyN and waits for SIGNAL_FOLDER\goN, while the harness
'   1. restarts faxd (same spool, same port): the old objects work on;
'   2. sets ReconnectTimeout = 3 in the registry and stops faxd: the next call
'      fails after about 3 s, saying so;
'   3. starts faxd with another admin password: the next call fails with
'      E_ACCESSDENIED, and the call after it fails the same way without a
'      login (the harness counts faxd's failed logins: one).
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
        WScript.Echo "FAIL " & what
    End If
End Sub

Sub NoError(what)
    If Err.Number = 0 Then
        Check True, what
    Else
        Check False, what & " (Err " & Hex(Err.Number) & ": " & Err.Description & ")"
        Err.Clear
    End If
End Sub

Sub Finish()
    WScript.Echo passed & " passed, " & failed & " failed"
    If failed > 0 Then WScript.Quit 1
    WScript.Quit 0
End Sub

Dim fso, signals
Set fso = CreateObject("Scripting.FileSystemObject")

' Tells the harness that step n may start, and waits (at most 60 s) until it
' says the step is done. Polls without a pause: Wine 8's WScript.Sleep fails
' (error 445), and a step takes the harness a second or two.
Sub Handshake(n)
    Dim f, t0
    Set f = fso.CreateTextFile(signals & "\ready" & n, True)
    f.Close
    NoError "signalled ready" & n
    t0 = Timer
    Do While Not fso.FileExists(signals & "\go" & n)
        If Timer - t0 > 60 Or Timer < t0 Then
            Check False, "the harness did not signal go" & n & " within 60 s"
            Finish
        End If
    Loop
    Check True, "the harness did step " & n & " (" & FormatNumber(Timer - t0, 1) & " s)"
End Sub

Const E_ACCESSDENIED = &H80070005
Const E_TIMEOUT = &H800705B4
Dim address, tif
address = WScript.Arguments(0)
tif = WScript.Arguments(1)
signals = WScript.Arguments(2)

Dim server, ports, port, i, doc, jobId, jobs, job
Set server = CreateObject("FaxServer.FaxServer")
NoError "CreateObject"
server.Connect address
NoError "Connect " & address
Set ports = server.GetPorts
NoError "GetPorts"
For i = 1 To ports.Count
    If ports.Item(i).Name = "Port B" Then Set port = ports.Item(i)
Next
Check IsObject(port), "found Port B"
If Not IsObject(port) Then Finish
Set doc = server.CreateDocument(tif)
NoError "CreateDocument"
doc.FaxNumber = "5551002"
jobId = doc.Send
NoError "Send before the restart: job " & jobId
Set jobs = server.GetJobs
For i = 1 To jobs.Count
    If jobs.Item(i).JobId = jobId Then Set job = jobs.Item(i)
Next
Check IsObject(job), "job " & jobId & " is in GetJobs"
If Not IsObject(job) Then Finish

' ---- 1. faxd restarted: the old objects carry on, by id
Handshake 1
port.Rings = 4
NoError "old FaxPort: Rings = 4 after faxd restarted"
Check port.Name = "Port B" And port.Rings = 4, "old FaxPort still names Port B (" & port.Name & ", Rings " & port.Rings & ")"
Dim status
Set status = port.GetStatus
NoError "old FaxPort: GetStatus"
Check status.DeviceId = port.DeviceId, "its status is the same port's (DeviceId " & status.DeviceId & ")"
job.Refresh
NoError "old FaxJob: Refresh"
Check job.JobId = jobId, "old FaxJob still names job " & jobId & " (" & job.JobId & ")"
Dim retries
retries = server.Retries
NoError "FaxServer.Retries (" & retries & ")"
Dim second
second = doc.Send
NoError "old FaxDoc: Send after the restart: job " & second
Check second <> jobId And second > 0, "a new job (" & second & ")"

' ---- 2. faxd stays away past the timeout (3 s, set in the registry by the harness)
Handshake 2
Dim t0, took
t0 = Timer
Set ports = server.GetPorts
took = Timer - t0
Check Err.Number = E_TIMEOUT And InStr(1, Err.Description, "did not come back within 3 s", 1) > 0, _
    "GetPorts with faxd away fails with ERROR_TIMEOUT: " & Hex(Err.Number) & " " & Err.Description
Err.Clear
Check took >= 2.5 And took < 10, "after the timeout (" & FormatNumber(took, 1) & " s)"

' ---- 3. faxd back, but it refuses the login: one login, not retried
Handshake 3
port.Rings = 2
Check Err.Number = E_ACCESSDENIED And InStr(1, Err.Description, "refused the login", 1) > 0, _
    "a refused login on re-connecting -> E_ACCESSDENIED: " & Err.Description
Err.Clear
Set ports = server.GetPorts
Check Err.Number = E_ACCESSDENIED And InStr(1, Err.Description, "Connect", 1) > 0, _
    "the next call fails the same way, without another login: " & Err.Description
Err.Clear
Finish
