' Job ids as legacy scripts keep them (issue 15): `CInt(doc.Send)` for every
' job, ids below 32768 even across the wrap-round at 32767, an id coming back
' once its job was purged; and a job deleted with SetStatus JC_DELETE stays
' deleted: no SetStatus revives it, each refusal is
' HRESULT_FROM_WIN32(ERROR_NOT_FOUND) naming the job. The server queue is
' paused throughout, and every job sent here is deleted, so nothing is faxed.
'   cscript //nologo late_jobids.vbs HOST:PORT C:\path\doc.tif COUNT FIRST REUSED
' FIRST: the id the first Send must get (the harness set faxd's last issued
' id to FIRST - 1, e.g. 32765); REUSED: the purged job's id that must come
' back after FIRST and FIRST + 1 = 32767 (0: not checked). Prints
' "JOBIDS=id,id,..." for the harness.
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

' Checks that the previous statement failed with `number` and a description
' containing `word`.
Sub Fails(number, word, what)
    Dim ok
    ok = (Err.Number = number) And (Len(Err.Description) > 0) And (InStr(1, Err.Description, word, 1) > 0)
    If ok Then
        Check True, what & ": " & Err.Description
    Else
        Check False, what & " (wanted " & Hex(number) & " with '" & word & "'; got " & Hex(Err.Number) & ": " & Err.Description & ")"
    End If
    Err.Clear
End Sub

Sub Finish()
    WScript.Echo passed & " passed, " & failed & " failed"
    If failed > 0 Then WScript.Quit 1
    WScript.Quit 0
End Sub

' HRESULT_FROM_WIN32(ERROR_NOT_FOUND): the job was deleted
Const HR_JOB_DELETED = &H80070490
Const JC_DELETE = 1
Const JC_PAUSE = 2
Const JC_RESUME = 3

Dim address, tif, count, first, reused
address = WScript.Arguments(0)
tif = WScript.Arguments(1)
count = CLng(WScript.Arguments(2))
first = CLng(WScript.Arguments(3))
reused = CLng(WScript.Arguments(4))

Dim server
Set server = CreateObject("FaxServer.FaxServer")
NoError "CreateObject"
server.Connect address
NoError "Connect"
If Err.Number <> 0 Or failed > 0 Then Finish
server.PauseServerQueue = True
NoError "PauseServerQueue = True (nothing here is faxed)"

' ---- CInt(doc.Send) for every job
' (fixed-size arrays: Wine 8's vbscript crashes on Dim x() with ReDim)
Const MAX_JOBS = 100
Dim ids(100), jobOf(100), i, doc, id, sendErrors, list
Check count >= 3 And count <= MAX_JOBS, "COUNT " & count & " is 3.." & MAX_JOBS
If count < 3 Or count > MAX_JOBS Then Finish
sendErrors = 0
list = ""
For i = 1 To count
    Set doc = server.CreateDocument(tif)
    doc.FaxNumber = "5551002"
    doc.DisplayName = "jobids " & i
    id = CInt(doc.Send)
    If Err.Number <> 0 Then
        sendErrors = sendErrors + 1
        WScript.Echo "     send " & i & ": Err " & Err.Number & " (" & Hex(Err.Number) & "): " & Err.Description
        Err.Clear
        id = 0
    End If
    ids(i) = id
    If list <> "" Then list = list & ","
    list = list & id
Next
WScript.Echo "JOBIDS=" & list
Check sendErrors = 0, count & " sends, each JobId kept with CInt(doc.Send): no overflow (error 6) and no other error"

Dim allInRange, distinct, j
allInRange = True
distinct = True
For i = 1 To count
    If ids(i) < 1 Or ids(i) > 32767 Then allInRange = False
    For j = 1 To i - 1
        If ids(j) = ids(i) Then distinct = False
    Next
Next
Check allInRange, "every id is 1..32767 (an Integer)"
Check distinct, "the " & count & " ids are distinct"
If first > 0 Then
    Check ids(1) = first And ids(2) = first + 1, "the first ids are " & first & " and " & (first + 1) & " (got " & ids(1) & ", " & ids(2) & ")"
End If
If reused > 0 Then
    Check ids(3) = reused, "after 32767 the ids wrap round to " & reused & ", the id of a purged job (got " & ids(3) & ")"
End If

' ---- the FaxJob objects of these jobs
Dim jobs, n
Set jobs = server.GetJobs
NoError "GetJobs"
n = 0
For i = 1 To jobs.Count
    For j = 1 To count
        If jobs.Item(i).JobId = ids(j) Then
            Set jobOf(j) = jobs.Item(i)
            n = n + 1
        End If
    Next
Next
Check n = count, "all " & count & " jobs are in GetJobs (found " & n & ")"
If n <> count Then Finish

' ---- a deleted job stays deleted
Dim job, word
Set job = jobOf(1)
word = "job " & ids(1) & " was deleted"
job.SetStatus JC_DELETE
NoError "SetStatus JC_DELETE on job " & ids(1)
job.Refresh
NoError "Refresh after JC_DELETE"
Check job.QueueStatus = "Deleted", "QueueStatus = Deleted (got " & job.QueueStatus & ")"
job.SetStatus JC_RESUME
Fails HR_JOB_DELETED, word, "SetStatus JC_RESUME (= JC_RESTART) on the deleted job -> ERROR_NOT_FOUND"
job.SetStatus JC_PAUSE
Fails HR_JOB_DELETED, word, "SetStatus JC_PAUSE on the deleted job -> ERROR_NOT_FOUND"
job.SetStatus JC_DELETE
Fails HR_JOB_DELETED, word, "SetStatus JC_DELETE again -> ERROR_NOT_FOUND"
job.Refresh
NoError "Refresh of the deleted job (it stays in the history)"
Check job.QueueStatus = "Deleted", "the job is still Deleted after the refused commands (got " & job.QueueStatus & ")"

' ---- the others go the same way: nothing of this script is faxed
Dim deleted
deleted = 0
For i = 2 To count
    jobOf(i).SetStatus JC_DELETE
    If Err.Number = 0 Then deleted = deleted + 1 Else WScript.Echo "     delete " & ids(i) & ": " & Err.Description
    Err.Clear
Next
Check deleted = count - 1, "the other " & (count - 1) & " jobs deleted"
Set jobs = server.GetJobs
n = 0
For i = 1 To jobs.Count
    For j = 1 To count
        If jobs.Item(i).JobId = ids(j) Then n = n + 1
    Next
Next
Check n = 0, "no deleted job is left in GetJobs (found " & n & ")"
server.PauseServerQueue = False
NoError "PauseServerQueue = False"
job.Refresh
Check job.QueueStatus = "Deleted", "with the queue running, the deleted job is still Deleted"
server.Disconnect
Finish
