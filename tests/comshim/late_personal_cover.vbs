' A legacy client's own cover page (issue 10): FaxDoc.ServerCoverpage = False
' makes CoverpageName a file of the client's; the shim uploads the .svg and
' faxd draws it first. With FaxServer.ServerCoverpage = True, faxd allows only
' its own cover pages and Send fails saying so. Run as faxd's admin.
'   cscript //nologo late_personal_cover.vbs HOST:PORT C:\mine.svg C:\one-page.txt
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

Dim server, doc, jobId, jobs, job, k, qs, t0, cover, file
cover = WScript.Arguments(1)
file = WScript.Arguments(2)
Set server = CreateObject("FaxServer.FaxServer")
NoError "CreateObject(""FaxServer.FaxServer"")"
If Not IsObject(server) Then Finish
server.Connect WScript.Arguments(0)
NoError "Connect " & WScript.Arguments(0)
server.ServerCoverpage = False
NoError "FaxServer.ServerCoverpage = False"

Function NewDoc()
    Set NewDoc = server.CreateDocument(file)
    NewDoc.FaxNumber = "5551002"
    NewDoc.DisplayName = "own cover"
    NewDoc.SendCoverpage = True
    NewDoc.ServerCoverpage = False
    NewDoc.CoverpageName = cover
    NewDoc.CoverpageSubject = "My own cover page"
    NewDoc.RecipientName = "Port B"
End Function

Set doc = NewDoc()
NoError "FaxDoc with ServerCoverpage = False, CoverpageName = " & cover
' The queue is held so that the job is certainly listed before it runs.
server.PauseServerQueue = True
jobId = doc.Send
NoError "FaxDoc.Send with the client's own cover page"
Check jobId > 0, "Send returned job id " & jobId
Set job = Nothing
Set jobs = server.GetJobs
For k = 1 To jobs.Count
    If jobs.Item(k).JobId = jobId Then Set job = jobs.Item(k)
Next
Check Not (job Is Nothing), "the job is in GetJobs"
If job Is Nothing Then Finish
Check job.PageCount = 2, "the cover page and the document: PageCount = " & job.PageCount
server.PauseServerQueue = False
NoError "PauseServerQueue = False"
t0 = Timer
Do
    job.Refresh
    qs = job.QueueStatus
    If qs <> "Pending" And qs <> "In Progress" Then Exit Do
    If Timer - t0 > 90 Or Timer < t0 Then Exit Do
Loop
Check qs = "Completed", "QueueStatus = Completed (got " & qs & ")"

' The server allows only its own cover pages: Send fails saying so.
server.ServerCoverpage = True
NoError "FaxServer.ServerCoverpage = True"
Set doc = NewDoc()
jobId = doc.Send
Check Err.Number <> 0, "Send fails with ServerCoverpage on the server"
Check InStr(Err.Description, "allows only its own cover pages") > 0, "the error says why: " & Err.Description
Err.Clear
server.ServerCoverpage = False
NoError "FaxServer.ServerCoverpage = False again"

server.Disconnect
NoError "Disconnect"
Finish
