' FaxTiff.FaxTiff on a fax faxd received: CSID, page count, receive time and
' the rest read from the file alone (no server), checked against what faxd
' reports for that fax (the harness passes faxd's values).
'   cscript //nologo late_faxtiff.vbs C:\path\received.tif CSID PAGES START_EPOCH "YYYY-MM-DD HH:MM:SS" ROUTING CALLER_ID
' START_EPOCH: reception start, seconds since 1970 UTC; the next argument is the
' same instant in local time (Wine's time zone is the host's).
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

Const E_UNEXPECTED = &H8000FFFF
Const E_INVALIDARG = &H80070057

Dim tif, csid, pages, startEpoch, startLocal, routing, callerId
tif = WScript.Arguments(0)
csid = WScript.Arguments(1)
pages = CLng(WScript.Arguments(2))
startEpoch = CDbl(WScript.Arguments(3))
startLocal = WScript.Arguments(4)
routing = WScript.Arguments(5)
callerId = WScript.Arguments(6)

Dim ft
Set ft = CreateObject("FaxTiff.FaxTiff")
NoError "CreateObject(""FaxTiff.FaxTiff"")"

Dim v
v = ft.Csid
Fails E_UNEXPECTED, "Image", "Csid before Image is set"
Err.Clear
ft.Image = tif & ".missing"
Fails &H80070002, "cannot open", "Image = a file that is not there"
Err.Clear

ft.Image = tif
NoError "Image = " & tif
Check ft.Image = tif, "Image reads back the file name: " & ft.Image

v = ft.Csid
NoError "Csid"
Check v = csid, "Csid = faxd's CSID for the fax: '" & v & "' (faxd: '" & csid & "')"

v = ft.PageCount
NoError "PageCount"
Check v = pages, "PageCount = faxd's page count: " & v & " (faxd: " & pages & ")"
v = ft.TiffTagString(297)
Check v = "0 " & pages, "TiffTagString(297) (PageNumber) = '" & v & "'"

' RawReceiveTime: VT_CY holding a FILETIME (100 ns since 1601, UTC), which
' VBScript sees as a Currency of milliseconds.
Dim raw, epoch
raw = ft.RawReceiveTime
NoError "RawReceiveTime"
Check VarType(raw) = 6, "RawReceiveTime is a Currency (VT_CY): VarType " & VarType(raw)
epoch = CDbl(raw) / 1000 - 11644473600
Check Abs(epoch - startEpoch) < 1, "RawReceiveTime = faxd's reception start: " & epoch & " (faxd: " & startEpoch & ")"

' ReceiveTime: "date@time" in the user's locale, to the minute
Dim rt, parts, got, want
rt = ft.ReceiveTime
NoError "ReceiveTime"
parts = Split(rt, "@")
If UBound(parts) = 1 Then
    got = CDate(parts(0)) + CDate(parts(1))
    want = DateSerial(CInt(Mid(startLocal, 1, 4)), CInt(Mid(startLocal, 6, 2)), CInt(Mid(startLocal, 9, 2))) + _
           TimeSerial(CInt(Mid(startLocal, 12, 2)), CInt(Mid(startLocal, 15, 2)), 0)
    ' (Wine's VBScript has no DateDiff: days as Doubles)
    Check Abs(CDbl(got) - CDbl(want)) * 86400 < 60, "ReceiveTime = faxd's reception start: '" & rt & "' (faxd: " & startLocal & " local)"
Else
    Check False, "ReceiveTime is date@time: '" & rt & "'"
End If

v = ft.Routing
Check v = routing, "Routing = the number the call came in on: '" & v & "'"
' Tsid: the far end's TSID, if it sent one (simulated ports send none: "")
v = ft.Tsid
NoError "Tsid: '" & v & "'"
If ft.TiffTagString(270) = "Unavailable" Then
    Check v = "", "Tsid is empty, as the file has no ImageDescription (270)"
Else
    Check v = ft.TiffTagString(270), "Tsid is ImageDescription (270)"
End If
v = ft.CallerId
NoError "CallerId"
Check v = callerId, "CallerId = faxd's caller id for the fax: '" & v & "' (faxd: '" & callerId & "')"
v = ft.RecipientName
Check v = "", "RecipientName (not recorded for a received fax) is empty"
v = ft.SenderName
Check v = "", "SenderName (not recorded for a received fax) is empty"
v = ft.RecipientNumber
Check v = "", "RecipientNumber (not recorded for a received fax) is empty"
v = ft.TiffTagString(305)
Check v = "faxemu faxd", "TiffTagString(305) (Software) = '" & v & "'"
v = ft.TiffTagString(40000)
Check v = "Unavailable", "TiffTagString of a tag the file lacks = 'Unavailable'"
Finish
