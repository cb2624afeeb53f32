' No free job id (issue 15): with every id 1..32767 held by a job of faxd's
' queue or history, FaxDoc.Send fails with HRESULT_FROM_WIN32(ERROR_NO_MORE_ITEMS)
' saying so (the range, and how to free ids), and nothing is queued.
'   cscript //nologo late_nofreeid.vbs HOST:PORT C:\path\doc.tif
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

' HRESULT_FROM_WIN32(ERROR_NO_MORE_ITEMS): no job id is free
Const HR_NO_FREE_ID = &H80070103

Dim address, tif
address = WScript.Arguments(0)
tif = WScript.Arguments(1)

Dim server
Set server = CreateObject("FaxServer.FaxServer")
NoError "CreateObject"
server.Connect address
NoError "Connect"
If Err.Number <> 0 Or failed > 0 Then Finish

Dim before, doc, id
before = server.GetJobs.Count
NoError "GetJobs.Count before"
Set doc = server.CreateDocument(tif)
doc.FaxNumber = "5551002"
id = CInt(doc.Send)
Fails HR_NO_FREE_ID, "no free job id", "Send with all 32767 job ids held -> ERROR_NO_MORE_ITEMS"
id = CInt(doc.Send)
Check InStr(1, Err.Description, "1 to 32767", 1) > 0 And InStr(1, Err.Description, "DirtyDays", 1) > 0, _
    "the description names the range and how to free ids: " & Err.Description
Err.Clear
Check server.GetJobs.Count = before, "nothing was queued (" & server.GetJobs.Count & " jobs, as before)"
server.Disconnect
Finish
