using HeadlessLoan.Api.Platform;
using HeadlessLoan.Api.Platform.Errors;
using HeadlessLoan.Domain.Loans;

namespace HeadlessLoan.Api.Features.Products;

/// <summary>
/// A product version's rules for the money its loans receive (<see cref="PaymentRules"/>), as given, validated, stored
/// and shown. Stored in the wire names: the allocation order as its 12 <c>due:component</c> pairs in order, the
/// overpayment and prepayment settings as their names.
/// </summary>
public static class ProductPaymentRules
{
    /// <summary>The named allocation orders.</summary>
    private static readonly (AllocationPreset Preset, AllocationOrder Order)[] Presets =
    [
        (AllocationPreset.PenaltyFeeInterestPrincipal, AllocationOrder.PenaltyFeeInterestPrincipal),
        (AllocationPreset.InterestPrincipalPenaltyFee, AllocationOrder.InterestPrincipalPenaltyFee),
    ];

    /// <summary>The preset named by <paramref name="order"/>, or <see cref="AllocationPreset.Custom"/>.</summary>
    public static AllocationPreset PresetOf(AllocationOrder order)
    {
        foreach (var (preset, named) in Presets)
        {
            if (named.Equals(order))
            {
                return preset;
            }
        }

        return AllocationPreset.Custom;
    }

    /// <summary>
    /// The allocation order, overpayment and prepayment fields: at most one way of naming the order (a preset, or its
    /// rules; both only when they agree, so a product read can be sent back), every rule complete, the rules an order
    /// by <see cref="AllocationOrder.Problem"/>.
    /// </summary>
    public static void Validate(RequestValidator v, ProductDefinition p)
    {
        ArgumentNullException.ThrowIfNull(v);
        ArgumentNullException.ThrowIfNull(p);
        if (p.AllocationRules is not { } rules)
        {
            if (p.AllocationOrder == AllocationPreset.Custom)
            {
                v.Add("allocationRules", "Required when allocationOrder is custom: the 12 (due, component) pairs in order.");
            }

            return;
        }

        var complete = true;
        for (var i = 0; i < rules.Count; i++)
        {
            complete &= v.Required(rules[i]?.Due, $"allocationRules[{i}].due");
            complete &= v.Required(rules[i]?.Component, $"allocationRules[{i}].component");
        }

        if (!complete)
        {
            return;
        }

        var given = RulesOf(rules);
        if (AllocationOrder.Problem(given) is { } problem)
        {
            v.Add("allocationRules", problem);
        }
        else if (p.AllocationOrder is { } preset && PresetOf(AllocationOrder.Create(given)) is var listed && preset != listed)
        {
            v.Add("allocationOrder", $"Names another order than allocationRules, which is {EnumNames.Wire(listed)}: give one of the two, or both agreeing.");
        }
    }

    /// <summary>The rules of a validated definition: its allocation order (the default when none is named), overpayment and prepayment settings.</summary>
    public static PaymentRules Of(ProductDefinition p)
    {
        ArgumentNullException.ThrowIfNull(p);
        var order = p.AllocationRules is { } rules ? AllocationOrder.Create(RulesOf(rules))
            : p.AllocationOrder is { } preset ? Presets.Single(n => n.Preset == preset).Order
            : PaymentRules.Default.Order;
        return new PaymentRules(order, p.Overpayment ?? PaymentRules.Default.Overpayment, ModeOf(p.Prepayment ?? SettingOf(PaymentRules.Default.Prepayment)));
    }

    public static PrepaymentMode ModeOf(PrepaymentSetting setting) => setting switch
    {
        PrepaymentSetting.LowerInstallment => PrepaymentMode.ReduceInstallment,
        PrepaymentSetting.ShortenTerm => PrepaymentMode.ReduceTerm,
        _ => throw new ArgumentOutOfRangeException(nameof(setting), setting, "Unknown prepayment setting."),
    };

    public static PrepaymentSetting SettingOf(PrepaymentMode mode) => mode switch
    {
        PrepaymentMode.ReduceInstallment => PrepaymentSetting.LowerInstallment,
        PrepaymentMode.ReduceTerm => PrepaymentSetting.ShortenTerm,
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown prepayment mode."),
    };

    /// <summary>The stored allocation order: <c>past_due:penalty,past_due:fee,…</c>.</summary>
    public static string FormatOrder(AllocationOrder order)
    {
        ArgumentNullException.ThrowIfNull(order);
        return string.Join(',', order.Rules.Select(r => EnumNames.Wire(r.Due) + ":" + EnumNames.Wire(r.Component)));
    }

    public static AllocationOrder ParseOrder(string stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        return AllocationOrder.Create([.. stored.Split(',').Select(pair => pair.Split(':') is [var due, var component]
            ? new AllocationRule(Parse<DueType>(due), Parse<OwedComponent>(component))
            : throw new InvalidDataException($"Stored allocation rule '{pair}'."))]);
    }

    public static T Parse<T>(string stored) where T : struct, Enum
    {
        foreach (var value in Enum.GetValues<T>())
        {
            if (string.Equals(EnumNames.Wire(value), stored, StringComparison.Ordinal))
            {
                return value;
            }
        }

        throw new InvalidDataException($"Stored {typeof(T).Name} '{stored}'.");
    }

    private static AllocationRule[] RulesOf(IReadOnlyList<AllocationRuleDefinition?> rules) =>
        [.. rules.Select(r => new AllocationRule(r!.Due!.Value, r.Component!.Value))];
}
