<#
.SYNOPSIS
Puts one Entra ID application (Creatio's Client ID) on the Exchange Online EWS allow list
(EwsAllowedAppIDs), keeping every application id already on it.

.DESCRIPTION
Run in Exchange Online PowerShell (Connect-ExchangeOnline). Exchange roles: Organization
Configuration (role group Organization Management) to write; View-Only Configuration for a
read-only run (-WhatIf).

- Shows the organization the session is connected to, then reads the allow list with
  Get-OrganizationConfig -RetrieveEwsOperationAccessPolicy (a plain Get-OrganizationConfig does
  not return EwsAllowedAppIDs) and reports the four gates an EWS request passes: the
  organization's EwsEnabled, the allow list, EwsApplicationAccessPolicy with
  EwsAllowList/EwsBlockList, and the mailbox's own EwsEnabled. Every id read must be a GUID, and
  an answer without EwsAllowedAppIDs stops the script: neither is taken for an empty list.
- Set-OrganizationConfig -EwsAllowedAppIDs replaces the whole list, so the script writes the ids it
  read plus this one, and writes nothing when the id is already there. Before writing it prints the
  list as it was and the command that restores it; afterwards it reads the list back.
- When EwsEnabled is $true and the list is empty, the first id on the list can block every other
  EWS application of the tenant: the script says so and asks a second time.
- EwsEnabled changes only with -EnableEws, after a warning, and only when this id is on the allow
  list (already, or written in this run): since October 2026 $true with an empty list blocks all
  EWS, and $true with a list without this id blocks Creatio.
- On 2027-04-01 Exchange Online switches EWS off for good: after that no setting keeps EWS working.
Changes can take up to 24 hours to take effect.

.PARAMETER AppId
The application (client) id to allow: exactly 8-4-4-4-12 hexadecimal digits, no braces.

.PARAMETER EnableEws
Also set the organization's EwsEnabled to $true when it is $null (not set) or $false, once the id
is on the allow list.

.PARAMETER Force
Skip the confirmations of the tenant-wide changes (-WhatIf still wins).

.EXAMPLE
Connect-ExchangeOnline
./scripts/Grant-CreatioEwsAccess.ps1 -AppId '00000000-0000-0000-0000-000000000000' -WhatIf
Reports the four gates and shows what it would write, writing nothing.
#>
#Requires -Version 5.1
[CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]
param(
    # \z, not $: in .NET, $ also matches before a trailing newline.
    [Parameter(Mandatory)]
    [ValidatePattern('^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\z')]
    [string] $AppId,

    [switch] $EnableEws,

    [switch] $Force
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) {
    $ConfirmPreference = 'None'
}

$GuidPattern = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\z'
$RolesNeeded = 'the Exchange role Organization Configuration (role group Organization Management); a read-only run (-WhatIf) needs View-Only Configuration'

function ConvertTo-AppIdList {
    # EwsAllowedAppIDs comes back as one comma-joined string, or nothing when the list is empty.
    param([object] $Value)
    @($Value) | ForEach-Object { "$_" -split ',' } | ForEach-Object { $_.Trim() } | Where-Object { $_ }
}

function Read-EwsAllowedAppIdList {
    # A plain Get-OrganizationConfig does not return EwsAllowedAppIDs: without the switch the list
    # would look empty and writing it back would drop every other application.
    $policy = Get-OrganizationConfig -RetrieveEwsOperationAccessPolicy -ErrorAction Stop
    if ($null -eq $policy -or $null -eq $policy.PSObject.Properties['EwsAllowedAppIDs']) {
        throw 'Get-OrganizationConfig -RetrieveEwsOperationAccessPolicy returned no EwsAllowedAppIDs (not returned, which is not an empty list): nothing was changed. Is this session connected to Exchange Online (Connect-ExchangeOnline)?'
    }
    $ids = @(ConvertTo-AppIdList $policy.EwsAllowedAppIDs)
    # Whatever is read is written back: anything but an application id stops the script.
    $notIds = @($ids | Where-Object { $_ -notmatch $GuidPattern })
    if ($notIds.Count -gt 0) {
        throw "EwsAllowedAppIDs holds $($notIds.Count) entries that are not application ids (GUIDs): '$($notIds -join "', '")'. Nothing was changed; correct the list by hand first."
    }
    $ids
}

function Get-EwsEnabledMeaning {
    # What the organization's EwsEnabled means with the allow list, by the rules in force since
    # October 2026 (Microsoft's EWS retirement).
    param([object] $EwsEnabled, [int] $AllowedCount)
    if ($null -eq $EwsEnabled) {
        return 'not set ($null): until October 2026 it counted as $true and the allow list had no effect; from 2026-10-01 Microsoft turns $null into $false, tenant by tenant, and $false blocks all EWS.'
    }
    if ($EwsEnabled -eq $false) {
        return '$false: every EWS request of the organization is blocked, allow list or not.'
    }
    if ($AllowedCount -eq 0) {
        return '$true with an empty allow list: since October 2026 that blocks all EWS (before, it held back no application).'
    }
    return '$true: only the applications on the allow list can use EWS.'
}

function Get-AllowListAction {
    # 'keep': the id is on the list already. 'add-first': EwsEnabled is $true and the list is
    # empty, where adding the id can block every other EWS application: asked twice. 'add'.
    param([object] $EwsEnabled, [int] $AllowedCount, [bool] $Listed)
    if ($Listed) {
        return 'keep'
    }
    if ($EwsEnabled -eq $true -and $AllowedCount -eq 0) {
        return 'add-first'
    }
    return 'add'
}

function Get-EnableEwsAction {
    # 'none': EwsEnabled is $true, no -EnableEws. 'advise': it is not, no -EnableEws: a warning.
    # 'already': -EnableEws and it is $true. 'refuse': -EnableEws, but the id is not on the list,
    # where $true would block Creatio (and, with an empty list, all EWS). 'set'.
    param([object] $EwsEnabled, [bool] $EnableEws, [bool] $OnList)
    if (-not $EnableEws) {
        if ($EwsEnabled -eq $true) {
            return 'none'
        }
        return 'advise'
    }
    if ($EwsEnabled -eq $true) {
        return 'already'
    }
    if (-not $OnList) {
        return 'refuse'
    }
    return 'set'
}

function Format-AppIdList {
    param([string[]] $Ids)
    if (@($Ids).Count -eq 0) { return '(empty: returned, with no application id)' }
    return ($Ids -join ', ')
}

function Format-RestoreCommand {
    # The command that puts the list back as it was read; $null clears it (Set-OrganizationConfig.md).
    param([string[]] $Ids)
    if (@($Ids).Count -eq 0) { return 'Set-OrganizationConfig -EwsAllowedAppIDs $null' }
    return "Set-OrganizationConfig -EwsAllowedAppIDs '$($Ids -join ',')'"
}

if (-not (Get-Command -Name Get-OrganizationConfig -ErrorAction SilentlyContinue)) {
    throw "Get-OrganizationConfig is not available: connect first with Connect-ExchangeOnline (module ExchangeOnlineManagement) as an account with $RolesNeeded."
}

if (Get-Command -Name Get-ConnectionInformation -ErrorAction SilentlyContinue) {
    $connections = @(Get-ConnectionInformation)
    if ($connections.Count -eq 0) {
        Write-Host 'Connected to: unknown (Get-ConnectionInformation lists no connection).'
    }
    foreach ($connection in $connections) {
        Write-Host "Connected to tenant $($connection.TenantID) as $($connection.UserPrincipalName) ($($connection.ConnectionUri), $($connection.State))."
    }
}
else {
    Write-Host 'Connected to: unknown (Get-ConnectionInformation needs ExchangeOnlineManagement 3.0 or later).'
}
Write-Host "Exchange roles needed: $RolesNeeded."

$appId = $AppId.ToLowerInvariant()
# -ErrorAction Stop: the Exchange Online cmdlets ignore the script's $ErrorActionPreference, and a
# failed read must not pass for EwsEnabled $null.
$organization = Get-OrganizationConfig -ErrorAction Stop
if ($null -eq $organization) {
    throw 'Get-OrganizationConfig returned nothing: the organization settings could not be read. Nothing was changed.'
}
$ewsEnabled = $organization.EwsEnabled
if ("$ewsEnabled" -eq '') { $ewsEnabled = $null }
$ewsEnabledText = if ($null -eq $ewsEnabled) { '$null (not set)' } else { "$ewsEnabled" }
$allowed = @(Read-EwsAllowedAppIdList)
# -contains compares strings case-insensitively.
$listed = $allowed -contains $appId
$written = $false

Write-Host 'The four gates of an EWS request in Exchange Online:'
Write-Host "1. Organization EwsEnabled: $(Get-EwsEnabledMeaning $ewsEnabled $allowed.Count)"
Write-Host "2. Allow list EwsAllowedAppIDs, $($allowed.Count) ids: $(Format-AppIdList $allowed)"
Write-Host "   $appId is $(if ($listed) { 'on it' } else { 'not on it' })."
Write-Host "3. EwsApplicationAccessPolicy: '$($organization.EwsApplicationAccessPolicy)'; EwsAllowList: '$(@($organization.EwsAllowList) -join ', ')'; EwsBlockList: '$(@($organization.EwsBlockList) -join ', ')'."
Write-Host '   With EnforceAllowList the user agent of Creatio''s requests must match EwsAllowList; with EnforceBlockList it must not match EwsBlockList. This script changes neither.'
Write-Host '4. Each mailbox: Get-CASMailbox -Identity <mailbox> | Format-List EwsEnabled   ($false blocks EWS for that mailbox; this script changes no mailbox).'
Write-Host 'On 2027-04-01 Exchange Online switches EWS off for good: after that no setting here keeps EWS working, allow list or not.'

$listAction = Get-AllowListAction $ewsEnabled $allowed.Count $listed
$onList = $listed
if ($listAction -eq 'keep') {
    Write-Host "$appId is already on the allow list: nothing written."
}
else {
    $merged = @($allowed) + $appId
    if ($listAction -eq 'add-first') {
        Write-Warning 'EwsEnabled is $true and the allow list is empty: since October 2026 that blocks all EWS; where the tenant still follows the earlier rule, once this id is on the list every other EWS application of the tenant is blocked.'
    }
    elseif ($null -eq $ewsEnabled -and $allowed.Count -eq 0) {
        Write-Warning 'The allow list takes effect once EwsEnabled is $true: from then on only the applications on it can use EWS.'
    }
    Write-Host "The allow list as it is now, $($allowed.Count) ids: $(Format-AppIdList $allowed)"
    Write-Host "To restore it: $(Format-RestoreCommand $allowed)"
    if ($PSCmdlet.ShouldProcess("EwsAllowedAppIDs, $($allowed.Count) ids", "Set-OrganizationConfig -EwsAllowedAppIDs '$($merged -join ',')'")) {
        if ($listAction -ne 'add-first' -or $Force -or $PSCmdlet.ShouldContinue('Block every EWS application that is not on the allow list?', 'First id on the allow list')) {
            # Confirmed above: no second prompt from the cmdlet. The Exchange Online cmdlets ignore
            # the script's $ErrorActionPreference: -ErrorAction Stop makes a refusal stop the script.
            Set-OrganizationConfig -EwsAllowedAppIDs ($merged -join ',') -Confirm:$false -ErrorAction Stop
            $written = $true
            $readBack = @(Read-EwsAllowedAppIdList)
            Write-Host "Allow list read back, $($readBack.Count) ids: $(Format-AppIdList $readBack)"
            $missing = @($merged | Where-Object { $readBack -notcontains $_ })
            if ($missing.Count -gt 0) {
                Write-Error "The allow list read back lacks: $($missing -join ', '). Check it with: Get-OrganizationConfig -RetrieveEwsOperationAccessPolicy | Format-List EwsAllowedAppIDs"
            }
            $onList = $readBack -contains $appId
        }
    }
    elseif ($WhatIfPreference) {
        # -WhatIf: the write above would have put the id on the list.
        $onList = $true
    }
}

$enableAction = Get-EnableEwsAction $ewsEnabled $EnableEws.IsPresent $onList
if ($enableAction -eq 'already') {
    Write-Host 'EwsEnabled is already $true: not changed.'
}
elseif ($enableAction -eq 'refuse') {
    throw "-EnableEws refused: $appId is not on the allow list (not written in this run), and EwsEnabled `$true would block it; since October 2026 `$true with an empty list blocks all EWS. EwsEnabled stays $ewsEnabledText. Run again and confirm the allow list first."
}
elseif ($enableAction -eq 'set') {
    $nowAllowed = @(Read-EwsAllowedAppIdList)
    Write-Warning "Setting the organization's EwsEnabled from $ewsEnabledText to `$true affects every EWS client of the tenant. The allow list holds $($nowAllowed.Count) ids ($(Format-AppIdList $nowAllowed)): only these applications can use EWS and every other one is blocked."
    $restoreEnabled = if ($null -eq $ewsEnabled) { 'Set-OrganizationConfig -EwsEnabled $null' } else { 'Set-OrganizationConfig -EwsEnabled $false' }
    Write-Host "To restore it: $restoreEnabled"
    if ($PSCmdlet.ShouldProcess('EwsEnabled of the organization', 'Set-OrganizationConfig -EwsEnabled $true')) {
        if ($Force -or $PSCmdlet.ShouldContinue('Change EWS for every EWS client of the tenant?', 'EwsEnabled')) {
            Set-OrganizationConfig -EwsEnabled $true -Confirm:$false -ErrorAction Stop
            $written = $true
            $enabledBack = (Get-OrganizationConfig -ErrorAction Stop).EwsEnabled
            Write-Host "EwsEnabled read back: $enabledBack"
            if ($enabledBack -ne $true) {
                Write-Error "EwsEnabled reads back as '$enabledBack', not True. Check it with: Get-OrganizationConfig | Format-List EwsEnabled"
            }
        }
    }
}
elseif ($enableAction -eq 'advise') {
    Write-Warning "EwsEnabled is $ewsEnabledText, not `$true: not changed. If the organization decides to let the applications on the allow list use EWS, run again with -EnableEws."
}

if ($written) {
    Write-Host 'Changes can take up to 24 hours to take effect.'
}
