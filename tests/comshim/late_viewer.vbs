' A legacy late-binding client run as a viewer, plus bad arguments: every
' refusal must come back as an error with a clear description, and faxd must
' be left unchanged (the harness compares faxd's state before and after).
'   cscript //nologo late_viewer.vbs HOST:PORT C:\path\doc.tif
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

Const E_ACCESSDENIED = &H80070005
Const E_INVALIDARG = &H80070057
Const DISP_E_BADINDEX = &H8002000B

Dim address, tif
address = WScript.Arguments(0)
tif = WScript.Arguments(1)

Dim server
Set server = CreateObject("FaxServer.FaxServer")
NoError "CreateObject"
If Not IsObject(server) Then Finish

' Nothing works before Connect.
Dim x
Set x = server.GetPorts
Check Err.Number <> 0 And InStr(1, Err.Description, "Connect", 1) > 0, "GetPorts before Connect fails: " & Err.Description
Err.Clear

server.Connect address
NoError "Connect as viewer"

Dim ports, port, n, rings, csid
Set ports = server.GetPorts
NoError "GetPorts"
n = ports.Count
Check n = 2, "Count = 2"
Set port = ports.Item(1)
NoError "Item(1)"
Check port.CanModify = False, "CanModify is False for a viewer"
rings = port.Rings
csid = port.Csid

port.Rings = 5
Fails E_ACCESSDENIED, "", "Rings = 5 as viewer -> E_ACCESSDENIED"
Check port.Rings = rings, "Rings unchanged on the object"
port.Csid = "NEW CSID"
Fails E_ACCESSDENIED, "", "Csid put as viewer -> E_ACCESSDENIED"

' Bad arguments, checked before faxd is asked.
port.Csid = "123456789012345678901"
Fails E_INVALIDARG, "20", "21-character Csid -> E_INVALIDARG"
port.Priority = 0
Fails E_INVALIDARG, "Priority", "Priority = 0 -> E_INVALIDARG"
port.Priority = n + 1
Fails E_INVALIDARG, "Priority", "Priority = Count+1 -> E_INVALIDARG"
port.Rings = 0
Fails E_INVALIDARG, "Rings", "Rings = 0 -> E_INVALIDARG"
Set x = ports.Item(0)
Fails DISP_E_BADINDEX, "out of range", "Item(0) -> DISP_E_BADINDEX"
Set x = ports.Item(n + 1)
Fails DISP_E_BADINDEX, "out of range", "Item(Count+1) -> DISP_E_BADINDEX"

Dim methods
Set methods = port.GetRoutingMethods
NoError "GetRoutingMethods as viewer"
Set x = methods.Item(methods.Count + 1)
Fails DISP_E_BADINDEX, "out of range", "RoutingMethods.Item(Count+1) -> DISP_E_BADINDEX"
methods.Item(1).Enable = True
Fails E_ACCESSDENIED, "", "routing Enable as viewer -> E_ACCESSDENIED"

server.Retries = 7
Fails E_ACCESSDENIED, "", "Server Retries put as viewer -> E_ACCESSDENIED"

Dim doc, id
Set doc = server.CreateDocument("")
NoError "CreateDocument("""")"
doc.FaxNumber = "5551002"
id = doc.Send
Fails E_INVALIDARG, "FileName", "Send with an empty FileName"

Set doc = server.CreateDocument(tif)
id = doc.Send
Fails E_INVALIDARG, "FaxNumber", "Send with an empty FaxNumber"

doc.FaxNumber = "5551002"
id = doc.Send
Fails E_ACCESSDENIED, "", "Send as viewer -> E_ACCESSDENIED"

Set doc = server.CreateDocument("C:\no\such\file.tif")
doc.FaxNumber = "5551002"
id = doc.Send
Check Err.Number <> 0 And InStr(1, Err.Description, "cannot open", 1) > 0, "Send of a missing file: " & Err.Description
Err.Clear

' Still readable after the refusals.
Set ports = server.GetPorts
Check ports.Item(1).Rings = rings, "faxd Rings unchanged"
Check ports.Item(1).Csid = csid, "faxd Csid unchanged"
Dim st
Set st = ports.Item(1).GetStatus
NoError "GetStatus as viewer"
Check Len(st.Description) >= 0, "Status.Description readable"

server.Disconnect
NoError "Disconnect"
Finish
