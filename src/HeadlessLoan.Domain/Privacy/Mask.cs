using System.Text;

namespace HeadlessLoan.Domain.Privacy;

/// <summary>
/// Masks personal data for responses and logs. Never throws: a value too short to keep its ends
/// and still hide at least <see cref="MinHidden"/> characters is masked entirely.
/// </summary>
public static class Mask
{
    private const int MinHidden = 4;

    /// <summary>1101**********002X</summary>
    public static string IdNumber(string v) => KeepEnds(v, 4, 4);

    /// <summary>622202******1234</summary>
    public static string CardNumber(string v) => KeepEnds(v, 6, 4);

    /// <summary>138****5678</summary>
    public static string Phone(string v) => KeepEnds(v, 3, 4);

    /// <summary>张** — the first character, then one star per remaining character (counted in runes, so rare characters outside the BMP count once).</summary>
    public static string Name(string v)
    {
        if (string.IsNullOrEmpty(v))
        {
            return string.Empty;
        }

        int runes = 0;
        Rune first = default;
        foreach (Rune rune in v.EnumerateRunes())
        {
            if (runes == 0)
            {
                first = rune;
            }

            runes++;
        }

        // A one-character name would otherwise be shown whole.
        return runes <= 1 ? "*" : first.ToString() + new string('*', runes - 1);
    }

    private static string KeepEnds(string v, int head, int tail)
    {
        if (string.IsNullOrEmpty(v))
        {
            return string.Empty;
        }

        int hidden = v.Length - head - tail;
        if (hidden < MinHidden)
        {
            return new string('*', v.Length);
        }

        return string.Concat(v.AsSpan(0, head), new string('*', hidden), v.AsSpan(v.Length - tail));
    }
}
