' A legacy client faxing the documents people have (issue 10): FaxDoc.Send of
' each file as it is (the shim uploads it; faxd converts it), as faxd's admin.
'   cscript //nologo late_documents.vbs HOST:PORT C:\doc.pdf C:\notes.txt ... BAD
' Each document but the last must be sent and complete from "Port A" to 5551002
' (the first after a cover page);
' the last is one faxd cannot convert: Send must fail with a reason naming it.
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

Function BaseName(path)
    BaseName = Mid(path, InStrRev(path, "\") + 1)
End Function

Dim server
Set server = CreateObject("FaxServer.FaxServer")
NoError "CreateObject(""FaxServer.FaxServer"")"
If Not IsObject(server) Then Finish
server.Connect WScript.Arguments(0)
NoError "Connect " & WScript.Arguments(0)

Dim n, i, file, doc, jobId, jobs, job, k, qs, t0
n = WScript.Arguments.Count
For i = 1 To n - 2
    file = WScript.Arguments(i)
    Set doc = server.CreateDocument(file)
    NoError "CreateDocument " & BaseName(file)
    doc.FaxNumber = "5551002"
    doc.DisplayName = BaseName(file)
    If i = 1 Then
        ' The first goes with a cover page: faxd's template named like the .cov file.
        doc.SendCoverpage = True
        doc.CoverpageName = "C:\Windows\default.cov"
        doc.CoverpageSubject = "Sent by a VBScript"
        doc.RecipientName = "Port B"
        NoError "cover page fields"
    End If
    ' Send returns once faxd has converted the document. The queue is held
    ' so that the job is certainly listed before it runs.
    server.PauseServerQueue = True
    jobId = doc.Send
    NoError "FaxDoc.Send " & BaseName(file)
    Check jobId > 0, BaseName(file) & ": Send returned job id " & jobId
    Set job = Nothing
    Set jobs = server.GetJobs
    For k = 1 To jobs.Count
        If jobs.Item(k).JobId = jobId Then Set job = jobs.Item(k)
    Next
    Check Not (job Is Nothing), BaseName(file) & ": the job is in GetJobs"
    If job Is Nothing Then Finish
    server.PauseServerQueue = False
    NoError "PauseServerQueue = False"
    t0 = Timer
    Do
        job.Refresh
        qs = job.QueueStatus
        If qs <> "Pending" And qs <> "In Progress" Then Exit Do
        If Timer - t0 > 90 Or Timer < t0 Then Exit Do
    Loop
    Check qs = "Completed", BaseName(file) & ": QueueStatus = Completed (got " & qs & ")"
    If i = 1 Then
        Check job.PageCount >= 2, BaseName(file) & " with its cover page: PageCount = " & job.PageCount
    Else
        Check job.PageCount >= 1, BaseName(file) & ": PageCount = " & job.PageCount
    End If
    WScript.Echo "SENT " & BaseName(file) & " " & job.PageCount
Next

' A document faxd cannot fax: Send fails, naming it; no job is left behind.
file = WScript.Arguments(n - 1)
Set doc = server.CreateDocument(file)
NoError "CreateDocument " & BaseName(file)
doc.FaxNumber = "5551002"
doc.DisplayName = BaseName(file)
jobId = doc.Send
Check Err.Number <> 0, BaseName(file) & ": Send fails"
Check InStr(Err.Description, BaseName(file)) > 0, "the error names the document: " & Err.Description
Err.Clear

server.Disconnect
NoError "Disconnect"
Finish
