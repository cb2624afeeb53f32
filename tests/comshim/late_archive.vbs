' Windows folders given to a faxd on Linux (issue 15): ArchiveDirectory (and
' the Store-in-a-folder RoutingData the shim can set) as a Windows path is
' refused with HRESULT_FROM_WIN32(ERROR_BAD_PATHNAME) saying how to map it,
' or, where faxd's [faxcom] drive_map maps it, stored as the Linux folder and
' the archived fax lands there.
'   cscript //nologo late_archive.vbs HOST:PORT nomap C:\path\doc.tif
'   cscript //nologo late_archive.vbs HOST:PORT map C:\path\doc.tif WINDIR LOCALDIR
' nomap: faxd has no drive map. map: WINDIR (e.g. C:\faxarchive\out) is under
' a drive_map entry and faxd stores it as LOCALDIR; a fax is sent with
' archiving on and "ARCHIVED=<job id>" printed for the harness, which looks
' for the file in LOCALDIR. Either way the settings are left as found.
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

' HRESULT_FROM_WIN32(ERROR_BAD_PATHNAME): a Windows path that names no folder on faxd's host
Const HR_WINDOWS_PATH = &H800700A1
Const FOLDER_GUID = "{92041a90-9af2-11d0-abf7-00c04fd91a4e}"

Dim address, mode, tif
address = WScript.Arguments(0)
mode = WScript.Arguments(1)
tif = WScript.Arguments(2)

Dim server
Set server = CreateObject("FaxServer.FaxServer")
NoError "CreateObject"
server.Connect address
NoError "Connect"
If Err.Number <> 0 Or failed > 0 Then Finish

Dim oldDir, oldArchive
oldDir = server.ArchiveDirectory
oldArchive = server.ArchiveOutboundFaxes
NoError "read ArchiveDirectory and ArchiveOutboundFaxes"

' The Store-in-a-folder method of the receiving port ("Port B")
Dim ports, i, methods, folder, oldData
Set ports = server.GetPorts
For i = 1 To ports.Count
    If ports.Item(i).Name = "Port B" Then Set methods = ports.Item(i).GetRoutingMethods
Next
For i = 1 To methods.Count
    If LCase(methods.Item(i).Guid) = FOLDER_GUID Then Set folder = methods.Item(i)
Next
NoError "Port B's Store-in-folder routing method"
Check IsObject(folder), "Store-in-folder method found"
If Not IsObject(folder) Then Finish
oldData = folder.RoutingData

If mode = "nomap" Then
    server.ArchiveDirectory = "C:\faxarchive"
    Fails HR_WINDOWS_PATH, "is a Windows path", "ArchiveDirectory = ""C:\faxarchive"" without a drive map -> ERROR_BAD_PATHNAME"
    server.ArchiveDirectory = "C:\faxarchive"
    Check InStr(1, Err.Description, "drive_map", 1) > 0 And InStr(1, Err.Description, "C:\faxarchive", 1) > 0, _
        "the description names the folder and faxd's [faxcom] drive_map: " & Err.Description
    Err.Clear
    server.ArchiveDirectory = "\\fileserver\faxes\out"
    Fails HR_WINDOWS_PATH, "is a Windows path", "ArchiveDirectory = a UNC path without a drive map -> ERROR_BAD_PATHNAME"
    Check server.ArchiveDirectory = oldDir, "ArchiveDirectory unchanged (" & server.ArchiveDirectory & ")"
    folder.RoutingData = "C:\faxes\in"
    Fails HR_WINDOWS_PATH, "is a Windows path", "Store-in-folder RoutingData = ""C:\faxes\in"" without a drive map -> ERROR_BAD_PATHNAME"
    Check folder.RoutingData = oldData, "RoutingData unchanged"
    server.ArchiveDirectory = "archive\out"
    Fails HR_WINDOWS_PATH, "relative Windows path", "a relative Windows path -> ERROR_BAD_PATHNAME"
    server.Retries = -1
    Check Err.Number = &H80070057, "other bad values stay E_INVALIDARG (Retries = -1: " & Hex(Err.Number) & ")"
    Err.Clear
    server.Disconnect
    Finish
End If

Dim winDir, localDir
winDir = WScript.Arguments(3)
localDir = WScript.Arguments(4)

' Mapped: stored and shown back as faxd's folder
server.ArchiveDirectory = winDir
NoError "ArchiveDirectory = """ & winDir & """ (mapped by faxd's drive_map)"
Check server.ArchiveDirectory = localDir, "ArchiveDirectory reads back as faxd's folder " & localDir & " (got " & server.ArchiveDirectory & ")"
server.ArchiveDirectory = "D:\elsewhere"
Fails HR_WINDOWS_PATH, "is a Windows path", "a drive the map does not name is still refused -> ERROR_BAD_PATHNAME"
Check server.ArchiveDirectory = localDir, "ArchiveDirectory still " & localDir
folder.RoutingData = "C:\faxes\in"
Fails HR_WINDOWS_PATH, "is a Windows path", "RoutingData under no mapped folder -> ERROR_BAD_PATHNAME"
server.ArchiveOutboundFaxes = True
NoError "ArchiveOutboundFaxes = True"
server.PauseServerQueue = False
NoError "PauseServerQueue = False (the fax goes out)"

' A fax sent with archiving on lands in the mapped folder
Dim doc, id, jobs, job, t0, qs
Set doc = server.CreateDocument(tif)
doc.FaxNumber = "5551002"
id = CInt(doc.Send)
NoError "FaxDoc.Send with archiving on: job " & id
Set jobs = server.GetJobs
For i = 1 To jobs.Count
    If jobs.Item(i).JobId = id Then Set job = jobs.Item(i)
Next
Check IsObject(job), "the job is in GetJobs"
If IsObject(job) Then
    ' (no WScript.Sleep: Wine's cscript lacks it; each Refresh is a round trip)
    t0 = Timer
    Do
        job.Refresh
        qs = job.QueueStatus
        If Err.Number <> 0 Or (qs <> "Pending" And qs <> "In Progress") Then Exit Do
        If Timer - t0 > 90 Or Timer < t0 Then Exit Do
    Loop
    NoError "polling job " & id
    Check qs = "Completed", "job " & id & " Completed (got " & qs & ")"
End If
WScript.Echo "ARCHIVED=" & id

' As found
server.ArchiveOutboundFaxes = oldArchive
server.ArchiveDirectory = oldDir
NoError "ArchiveOutboundFaxes and ArchiveDirectory restored"
server.Disconnect
Finish
