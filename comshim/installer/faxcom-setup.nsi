; faxemu-faxcom-setup.exe: installs the faxcom COM shim (FaxServer.FaxServer,
; FaxTiff.FaxTiff) on 64-bit Windows, both bitnesses, and the server and user
; it connects with. Built by comshim/installer/build.sh with Debian's makensis.
;   faxemu-faxcom-setup.exe [/S] [/SERVER=host[:port]] [/USER=name] [/PASSWORD=secret] [/MACHINE]
; /MACHINE: the settings for every user of the computer (HKLM; services such
; as IIS application pools), else for the user who installs (HKCU). The
; password is stored encrypted with DPAPI (CryptProtectData, machine scope
; with /MACHINE), never in plain text: the DLL's FaxemuSaveSettings does it.
; Uninstall: "C:\Program Files\faxemu\faxcom\uninstall.exe" [/S].
Unicode true
Target amd64-unicode
!include FileFunc.nsh
!include LogicLib.nsh
!include x64.nsh

!ifndef OUTDIR
  !error "makensis -DOUTDIR=<comshim build folder>"
!endif

Name "faxemu faxcom COM shim"
OutFile "${OUTDIR}/faxemu-faxcom-setup.exe"
InstallDir "$PROGRAMFILES64\faxemu\faxcom"
RequestExecutionLevel admin
ShowInstDetails show
ShowUninstDetails show

!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\faxemu-faxcom"
!define SETTINGS_KEY "Software\faxemu\FaxServer"
; The 32-bit DLL's folder: "Program Files (x86)" (a 64-bit installer's
; $PROGRAMFILES32 is the 64-bit folder)
!define DIR32 "$pf32\faxemu\faxcom"

Var server
Var user
Var password
Var machine
Var pf32

!macro FindProgramFiles32
  ReadEnvStr $pf32 "ProgramFiles(x86)"
  ${If} $pf32 == ""
    StrCpy $pf32 "$PROGRAMFILES32"
  ${EndIf}
!macroend

Page directory
Page instfiles
UninstPage uninstConfirm
UninstPage instfiles

Function .onInit
  SetRegView 64
  !insertmacro FindProgramFiles32
  ${GetParameters} $0
  ${GetOptions} $0 "/SERVER=" $server
  ${GetOptions} $0 "/USER=" $user
  ${GetOptions} $0 "/PASSWORD=" $password
  StrCpy $machine 0
  ClearErrors
  ${GetOptions} $0 "/MACHINE" $1
  ${IfNot} ${Errors}
    StrCpy $machine 1
  ${EndIf}
FunctionEnd

; regsvr32 of one bitness; a failure is reported, and counts in the exit code
!macro Register REGSVR DLL ARGS
  ExecWait '"${REGSVR}" /s ${ARGS} "${DLL}"' $0
  ${If} $0 != 0
    DetailPrint "regsvr32 ${ARGS} ${DLL}: exit code $0"
    SetErrorLevel 2
  ${EndIf}
!macroend

Section "faxcom COM shim"
  ${DisableX64FSRedirection}
  SetOutPath "$INSTDIR"
  File "/oname=faxemu_faxcom.dll" "${OUTDIR}/faxemu_faxcom.dll"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  SetOutPath "${DIR32}"
  File "/oname=faxemu_faxcom.dll" "${OUTDIR}/win32/faxemu_faxcom.dll"
  !insertmacro Register "$WINDIR\System32\regsvr32.exe" "$INSTDIR\faxemu_faxcom.dll" ""
  ; 32-bit Windows programs (VB6, 32-bit cscript, Office VBA, ASP pools) load this
  ; one; a Windows (or Wine) that cannot run 32-bit programs has no 32-bit regsvr32
  ${If} ${FileExists} "$WINDIR\SysWOW64\regsvr32.exe"
    !insertmacro Register "$WINDIR\SysWOW64\regsvr32.exe" "${DIR32}\faxemu_faxcom.dll" ""
  ${Else}
    DetailPrint "no 32-bit regsvr32: the 32-bit DLL is installed, not registered"
  ${EndIf}

  ; The settings, written by the installed DLL (this installer is a 64-bit process)
  ${If} "$server$user$password" != ""
    StrCpy $1 $server
    StrCpy $2 $user
    StrCpy $3 $password
    StrCpy $4 $machine
    System::Call '"$INSTDIR\faxemu_faxcom.dll"::FaxemuSaveSettings(w r1, w r2, w r3, i r4) i .r0 ? u'
    ${If} $0 != 0
      DetailPrint "FaxemuSaveSettings: failed ($0)"
      SetErrorLevel 3
    ${EndIf}
    StrCpy $3 ""
    StrCpy $password ""
  ${EndIf}

  WriteRegStr HKLM "${UNINST_KEY}" "DisplayName" "faxemu faxcom COM shim"
  WriteRegStr HKLM "${UNINST_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKLM "${UNINST_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegStr HKLM "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegDWORD HKLM "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINST_KEY}" "NoRepair" 1
SectionEnd

Function un.onInit
  !insertmacro FindProgramFiles32
FunctionEnd

Section "Uninstall"
  SetRegView 64
  ${DisableX64FSRedirection}
  ${If} ${FileExists} "$WINDIR\SysWOW64\regsvr32.exe"
    !insertmacro Register "$WINDIR\SysWOW64\regsvr32.exe" "${DIR32}\faxemu_faxcom.dll" "/u"
  ${EndIf}
  !insertmacro Register "$WINDIR\System32\regsvr32.exe" "$INSTDIR\faxemu_faxcom.dll" "/u"
  ; the settings of the user who uninstalls, and the computer's
  DeleteRegKey HKCU "${SETTINGS_KEY}"
  DeleteRegKey /ifempty HKCU "Software\faxemu"
  DeleteRegKey HKLM "${SETTINGS_KEY}"
  DeleteRegKey /ifempty HKLM "Software\faxemu"
  DeleteRegKey HKLM "${UNINST_KEY}"
  ; the files last: once the folder is gone, the uninstaller is done
  Delete "${DIR32}\faxemu_faxcom.dll"
  RMDir "${DIR32}"
  RMDir "$pf32\faxemu"
  Delete "$INSTDIR\faxemu_faxcom.dll"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  RMDir "$PROGRAMFILES64\faxemu"
SectionEnd
