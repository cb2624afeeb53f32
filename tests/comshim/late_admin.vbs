' A legacy late-binding client of FaxServer.FaxServer, run as faxd's admin
' (FAXEMU_USER/FAXEMU_PASSWORD in the environment).
'   cscript //nologo late_admin.vbs HOST:PORT C:\path\doc.tif INBOX_FOLDER
' Sends the document from "Port A" to 5551002 ("Port B"), watching the job and
' the sending port's status. Prints "JOBID=n", then "N passed, M failed".
' Wine's cscript exits 0 on an uncaught error, so every step is checked here.
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

' Checks that the previous statement raised no error.
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

Const FOLDER_GUID = "{92041a90-9af2-11d0-abf7-00c04fd91a4e}"
Dim address, tif, inbox
address = WScript.Arguments(0)
tif = WScript.Arguments(1)
inbox = WScript.Arguments(2)

Dim server
Set server = CreateObject("FaxServer.FaxServer")
NoError "CreateObject(""FaxServer.FaxServer"")"
If Not IsObject(server) Then Finish

server.Connect address
NoError "Connect " & address

Dim ports, i, port, portA, portB
Set ports = server.GetPorts
NoError "GetPorts"
Check ports.Count = 2, "Ports.Count = 2 (got " & ports.Count & ")"
For i = 1 To ports.Count
    Set port = ports.Item(i)
    NoError "Ports.Item(" & i & ")"
    Check Len(port.Name) > 0, "Port " & i & " Name = " & port.Name
    Check port.CanModify <> 0, "Port " & i & " CanModify for the admin"
    If port.Name = "Port A" Then Set portA = port
    If port.Name = "Port B" Then Set portB = port
Next
Check IsObject(portA) And IsObject(portB), "found Port A and Port B"
If Not (IsObject(portA) And IsObject(portB)) Then Finish

' Rings and Csid: get, put, get, and read back through a fresh collection.
Dim rings
rings = portB.Rings
NoError "Port B Rings get (" & rings & ")"
portB.Rings = 3
NoError "Port B Rings = 3"
Check portB.Rings = 3, "Port B Rings reads back 3"
portB.Csid = "+1 555 1002 VB"
NoError "Port B Csid put"
Check portB.Csid = "+1 555 1002 VB", "Port B Csid reads back"
Set ports = server.GetPorts
For i = 1 To ports.Count
    If ports.Item(i).Name = "Port B" Then
        Check ports.Item(i).Rings = 3, "faxd kept Rings = 3"
        Check ports.Item(i).Csid = "+1 555 1002 VB", "faxd kept the Csid"
    End If
Next
portB.Rings = 1
NoError "Port B Rings = 1 (answer at once)"

' Routing: enable Store in folder on the receiving port.
Dim methods, m, folder
Set methods = portB.GetRoutingMethods
NoError "Port B GetRoutingMethods"
Check methods.Count >= 1, "RoutingMethods.Count >= 1 (got " & methods.Count & ")"
For i = 1 To methods.Count
    Set m = methods.Item(i)
    If LCase(m.Guid) = FOLDER_GUID Then Set folder = m
Next
Check IsObject(folder), "Store-in-folder method present"
If IsObject(folder) Then
    Check Len(folder.FriendlyName) > 0, "FriendlyName = " & folder.FriendlyName
    folder.RoutingData = inbox
    NoError "RoutingData = inbox folder"
    folder.Enable = True
    NoError "Enable = True"
    Set methods = portB.GetRoutingMethods
    For i = 1 To methods.Count
        Set m = methods.Item(i)
        If LCase(m.Guid) = FOLDER_GUID Then
            Check m.Enable <> 0, "faxd shows the method enabled"
            Check m.RoutingData = inbox, "faxd shows the routing data"
            Check m.DeviceId = portB.DeviceId, "method DeviceId = port DeviceId"
        End If
    Next
End If

' Server settings round trip.
Dim retries
retries = server.Retries
NoError "Server Retries get"
server.Retries = 2
NoError "Server Retries = 2"
Check server.Retries = 2, "Server Retries reads back 2"
server.Retries = retries
Check server.DiscountRateStartHour >= 0 And server.DiscountRateStartHour <= 23, "DiscountRateStartHour in 0..23"

' Send the document.
Dim doc, jobId
Set doc = server.CreateDocument(tif)
NoError "CreateDocument"
Check doc.FileName = tif, "FaxDoc FileName"
doc.FaxNumber = "5551002"
doc.DisplayName = "late binding test"
doc.SenderName = "VBScript"
doc.RecipientName = "Port B"
' Hold the queue so the job is certainly listed before it runs.
server.PauseServerQueue = True
NoError "PauseServerQueue = True"
Check server.PauseServerQueue <> 0, "PauseServerQueue reads back True"
jobId = doc.Send
NoError "FaxDoc.Send"
Check jobId > 0, "Send returned job id " & jobId
WScript.Echo "JOBID=" & jobId

Dim jobs, job, found
Set jobs = server.GetJobs
NoError "GetJobs"
For i = 1 To jobs.Count
    If jobs.Item(i).JobId = jobId Then Set job = jobs.Item(i)
Next
Check IsObject(job), "the job is in GetJobs"
If Not IsObject(job) Then Finish
Check job.FaxNumber = "5551002", "FaxJob FaxNumber"
Check job.DisplayName = "late binding test", "FaxJob DisplayName"
Check job.Type = 1, "FaxJob Type = JT_SEND"
Check job.QueueStatus = "Pending", "FaxJob QueueStatus = Pending while the queue is paused (got " & job.QueueStatus & ")"
job.SetStatus 2
NoError "SetStatus JC_PAUSE"
Check job.QueueStatus = "Paused", "QueueStatus = Paused after JC_PAUSE (got " & job.QueueStatus & ")"
job.SetStatus 9
Check Err.Number = &H80070057, "SetStatus 9 -> E_INVALIDARG: " & Err.Description
Err.Clear
job.SetStatus 3
NoError "SetStatus JC_RESUME"
Check job.QueueStatus = "Pending", "QueueStatus = Pending after JC_RESUME (got " & job.QueueStatus & ")"
server.PauseServerQueue = False
NoError "PauseServerQueue = False"

' Poll the job and the sending port's status until the job is final.
Dim st, page, maxPage, pages, t0, qs, ds, sawSending
Set st = portA.GetStatus
NoError "Port A GetStatus"
maxPage = 0
sawSending = False
t0 = Timer
Do
    st.Refresh
    page = st.CurrentPage
    If page > maxPage Then maxPage = page
    If st.Send <> 0 Then sawSending = True
    job.Refresh
    qs = job.QueueStatus
    ds = job.DeviceStatus
    If qs <> "Pending" And qs <> "In Progress" Then Exit Do
    If Timer - t0 > 90 Or Timer < t0 Then Exit Do
Loop
NoError "polling Refresh"
Check qs = "Completed", "job QueueStatus = Completed (got " & qs & ", device " & ds & ")"
Check job.PageCount = 3, "job PageCount = 3 (got " & job.PageCount & ")"
Check maxPage >= 1, "Port A CurrentPage went up while sending (max " & maxPage & ")"
Check sawSending, "Port A Status.Send was true while sending"
WScript.Echo "max CurrentPage seen: " & maxPage

server.Disconnect
NoError "Disconnect"
Finish
