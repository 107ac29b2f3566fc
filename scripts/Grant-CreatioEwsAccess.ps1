<#
.SYNOPSIS
Puts one Entra ID application (Creatio's Client ID) on the Exchange Online EWS allow list
(EwsAllowedAppIDs), keeping every application id already on it.

.DESCRIPTION
Run in Exchange Online PowerShell (Connect-ExchangeOnline) as an Exchange administrator.

- Reads the allow list with Get-OrganizationConfig -RetrieveEwsOperationAccessPolicy (a plain
  Get-OrganizationConfig does not return EwsAllowedAppIDs) and reports the four gates an EWS
  request passes: the organization's EwsEnabled, the allow list, EwsApplicationAccessPolicy with
  EwsAllowList/EwsBlockList, and the mailbox's own EwsEnabled.
- Set-OrganizationConfig -EwsAllowedAppIDs replaces the whole list, so the script writes the ids it
  read plus this one, and writes nothing when the id is already there. Afterwards it reads the list
  back.
- When EwsEnabled is $true and the list is empty, the first id on the list blocks every other EWS
  application of the tenant: the script says so and asks a second time.
- EwsEnabled changes only with -EnableEws, after a warning: it affects every EWS client of the
  tenant.
Changes can take up to 24 hours to take effect.

.PARAMETER AppId
The application (client) id to allow: exactly 8-4-4-4-12 hexadecimal digits, no braces.

.PARAMETER EnableEws
Also set the organization's EwsEnabled to $true when it is $null (not set) or $false.

.PARAMETER Force
Skip the confirmations of the two tenant-wide changes (-WhatIf still wins).

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

function ConvertTo-AppIdList {
    # EwsAllowedAppIDs comes back as one comma-joined string, or nothing when the list is empty.
    param([object] $Value)
    @($Value) | ForEach-Object { "$_" -split ',' } | ForEach-Object { $_.Trim() } | Where-Object { $_ }
}

function Read-EwsAllowedAppIdList {
    # A plain Get-OrganizationConfig does not return EwsAllowedAppIDs: without the switch the list
    # would look empty and writing it back would drop every other application.
    $policy = Get-OrganizationConfig -RetrieveEwsOperationAccessPolicy
    if ($null -eq $policy -or $null -eq $policy.PSObject.Properties['EwsAllowedAppIDs']) {
        throw 'Get-OrganizationConfig -RetrieveEwsOperationAccessPolicy returned no EwsAllowedAppIDs: nothing was changed. Is this session connected to Exchange Online (Connect-ExchangeOnline)?'
    }
    ConvertTo-AppIdList $policy.EwsAllowedAppIDs
}

function Get-EwsEnabledMeaning {
    param([object] $EwsEnabled, [int] $AllowedCount)
    if ($null -eq $EwsEnabled) {
        return 'not set ($null, the default): the allow list has no effect; from October 2026 Microsoft''s EWS retirement acts on tenants left at $null.'
    }
    if ($EwsEnabled -eq $false) {
        return '$false: every EWS request of the organization is blocked, allow list or not.'
    }
    if ($AllowedCount -eq 0) {
        return '$true with an empty allow list: no application is held back by its application id.'
    }
    return '$true: only the applications on the allow list can use EWS.'
}

function Format-AppIdList {
    param([string[]] $Ids)
    if (@($Ids).Count -eq 0) { return '(empty)' }
    return ($Ids -join ', ')
}

if (-not (Get-Command -Name Get-OrganizationConfig -ErrorAction SilentlyContinue)) {
    throw 'Get-OrganizationConfig is not available: connect first with Connect-ExchangeOnline (module ExchangeOnlineManagement).'
}

$appId = $AppId.ToLowerInvariant()
$organization = Get-OrganizationConfig
$ewsEnabled = $organization.EwsEnabled
if ("$ewsEnabled" -eq '') { $ewsEnabled = $null }
$ewsEnabledText = if ($null -eq $ewsEnabled) { '$null (not set)' } else { "$ewsEnabled" }
$allowed = @(Read-EwsAllowedAppIdList)
# -contains compares strings case-insensitively.
$listed = $allowed -contains $appId

Write-Host 'The four gates of an EWS request in Exchange Online:'
Write-Host "1. Organization EwsEnabled: $(Get-EwsEnabledMeaning $ewsEnabled $allowed.Count)"
Write-Host "2. Allow list EwsAllowedAppIDs, $($allowed.Count) ids: $(Format-AppIdList $allowed)"
Write-Host "   $appId is $(if ($listed) { 'on it' } else { 'not on it' })."
Write-Host "3. EwsApplicationAccessPolicy: '$($organization.EwsApplicationAccessPolicy)'; EwsAllowList: '$(@($organization.EwsAllowList) -join ', ')'; EwsBlockList: '$(@($organization.EwsBlockList) -join ', ')'."
Write-Host '   With EnforceAllowList the user agent of Creatio''s requests must match EwsAllowList; with EnforceBlockList it must not match EwsBlockList. This script changes neither.'
Write-Host '4. Each mailbox: Get-CASMailbox -Identity <mailbox> | Format-List EwsEnabled   ($false blocks EWS for that mailbox; this script changes no mailbox).'

if ($listed) {
    Write-Host "$appId is already on the allow list: nothing written."
}
else {
    $merged = @($allowed) + $appId
    $firstId = ($ewsEnabled -eq $true) -and ($allowed.Count -eq 0)
    if ($firstId) {
        Write-Warning 'EwsEnabled is $true and the allow list is empty: once this id is on it, every other EWS application of the tenant is blocked.'
    }
    elseif ($null -eq $ewsEnabled -and $allowed.Count -eq 0) {
        Write-Warning 'The allow list takes effect once EwsEnabled is $true: from then on only the applications on it can use EWS.'
    }
    if ($PSCmdlet.ShouldProcess("EwsAllowedAppIDs, $($allowed.Count) ids", "Set-OrganizationConfig -EwsAllowedAppIDs '$($merged -join ',')'")) {
        if (-not $firstId -or $Force -or $PSCmdlet.ShouldContinue('Block every EWS application that is not on the allow list?', 'First id on the allow list')) {
            # Confirmed above: no second prompt from the cmdlet.
            Set-OrganizationConfig -EwsAllowedAppIDs ($merged -join ',') -Confirm:$false
            $readBack = @(Read-EwsAllowedAppIdList)
            Write-Host "Allow list read back, $($readBack.Count) ids: $(Format-AppIdList $readBack)"
            $missing = @($merged | Where-Object { $readBack -notcontains $_ })
            if ($missing.Count -gt 0) {
                Write-Error "The allow list read back lacks: $($missing -join ', '). Check it with: Get-OrganizationConfig -RetrieveEwsOperationAccessPolicy | Format-List EwsAllowedAppIDs"
            }
        }
    }
}

if ($EnableEws) {
    if ($ewsEnabled -eq $true) {
        Write-Host 'EwsEnabled is already $true: not changed.'
    }
    else {
        $nowAllowed = @(Read-EwsAllowedAppIdList)
        Write-Warning "Setting the organization's EwsEnabled from $ewsEnabledText to `$true affects every EWS client of the tenant. The allow list holds $($nowAllowed.Count) ids ($(Format-AppIdList $nowAllowed)): when it is not empty, only these applications can use EWS and every other one is blocked."
        if ($PSCmdlet.ShouldProcess('EwsEnabled of the organization', 'Set-OrganizationConfig -EwsEnabled $true')) {
            if ($Force -or $PSCmdlet.ShouldContinue('Change EWS for every EWS client of the tenant?', 'EwsEnabled')) {
                Set-OrganizationConfig -EwsEnabled $true -Confirm:$false
                Write-Host "EwsEnabled read back: $((Get-OrganizationConfig).EwsEnabled)"
            }
        }
    }
}
elseif ($ewsEnabled -ne $true) {
    Write-Warning "EwsEnabled is $ewsEnabledText, not `$true: not changed. If the organization decides to let the applications on the allow list use EWS, run again with -EnableEws."
}

Write-Host 'Changes can take up to 24 hours to take effect.'
