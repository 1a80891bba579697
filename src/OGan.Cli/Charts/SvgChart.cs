using System.Globalization;
using System.Text;

namespace OGan.Cli.Charts;

/// <summary>One curve: a name and its (x, y) points.</summary>
internal sealed record Series(string Name, IReadOnlyList<(double X, double Y)> Points);

/// <summary>
/// Draws curves as a standalone SVG: one panel per series, stacked, each with its own y axis, a shared
/// x axis label, ticks at round numbers. No plotting package is involved.
/// </summary>
internal static class SvgChart
{
    private const int Width = 720;
    private const int PanelHeight = 150;
    private const int Left = 70;
    private const int Right = 20;
    private const int Top = 30;
    private const int Gap = 40;
    private static readonly int[] TickMultiples = [1, 2, 5, 10];

    /// <summary>The SVG document for <paramref name="series"/>, titled <paramref name="title"/>, x named <paramref name="xLabel"/>.</summary>
    public static string Render(string title, string xLabel, IReadOnlyList<Series> series)
    {
        ArgumentNullException.ThrowIfNull(series);
        var height = Top + series.Count * (PanelHeight + Gap) + 10;
        var svg = new StringBuilder();
        svg.Append(Invariant($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" viewBox=\"0 0 {Width} {height}\" font-family=\"sans-serif\" font-size=\"11\">\n"));
        svg.Append(Invariant($"<rect width=\"{Width}\" height=\"{height}\" fill=\"white\"/>\n"));
        svg.Append(Invariant($"<text x=\"{Width / 2}\" y=\"18\" text-anchor=\"middle\" font-size=\"14\">{Escape(title)}</text>\n"));
        for (var i = 0; i < series.Count; i++)
        {
            Panel(svg, series[i], Top + i * (PanelHeight + Gap), xLabel);
        }

        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static void Panel(StringBuilder svg, Series series, int top, string xLabel)
    {
        var points = series.Points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToArray();
        int plotWidth = Width - Left - Right, bottom = top + PanelHeight;
        svg.Append(Invariant($"<text x=\"{Left}\" y=\"{top - 6}\" font-weight=\"bold\">{Escape(series.Name)}</text>\n"));
        svg.Append(Invariant($"<rect x=\"{Left}\" y=\"{top}\" width=\"{plotWidth}\" height=\"{PanelHeight}\" fill=\"none\" stroke=\"#999\"/>\n"));
        if (points.Length == 0)
        {
            svg.Append(Invariant($"<text x=\"{Left + plotWidth / 2}\" y=\"{top + PanelHeight / 2}\" text-anchor=\"middle\">no data</text>\n"));
            return;
        }

        var (xMin, xMax) = Range(points.Select(p => p.X));
        var (yMin, yMax) = Range(points.Select(p => p.Y));
        double X(double x) => Left + (x - xMin) / (xMax - xMin) * plotWidth;
        double Y(double y) => bottom - (y - yMin) / (yMax - yMin) * PanelHeight;

        foreach (var tick in Ticks(yMin, yMax))
        {
            svg.Append(Invariant($"<line x1=\"{Left}\" x2=\"{Left + plotWidth}\" y1=\"{Y(tick):F1}\" y2=\"{Y(tick):F1}\" stroke=\"#eee\"/>\n"));
            svg.Append(Invariant($"<text x=\"{Left - 4}\" y=\"{Y(tick) + 4:F1}\" text-anchor=\"end\">{Format(tick)}</text>\n"));
        }

        foreach (var tick in Ticks(xMin, xMax))
        {
            svg.Append(Invariant($"<text x=\"{X(tick):F1}\" y=\"{bottom + 14}\" text-anchor=\"middle\">{Format(tick)}</text>\n"));
        }

        svg.Append(Invariant($"<text x=\"{Left + plotWidth}\" y=\"{bottom + 28}\" text-anchor=\"end\" fill=\"#666\">{Escape(xLabel)}</text>\n"));
        var path = string.Join(" ", points.Select((p, i) => Invariant($"{(i == 0 ? 'M' : 'L')}{X(p.X):F1},{Y(p.Y):F1}")));
        svg.Append(Invariant($"<path d=\"{path}\" fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\"/>\n"));
    }

    private static (double Min, double Max) Range(IEnumerable<double> values)
    {
        var list = values.ToList();
        double min = list.Min(), max = list.Max();
        if (max - min < 1e-12)
        {
            (min, max) = (min - 0.5, max + 0.5);
        }

        var pad = (max - min) * 0.05;
        return (min - pad, max + pad);
    }

    /// <summary>About five ticks at 1, 2 or 5 times a power of ten.</summary>
    internal static IEnumerable<double> Ticks(double min, double max)
    {
        var raw = (max - min) / 5;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var step = TickMultiples.Select(m => m * magnitude).First(s => s >= raw);
        for (var tick = Math.Ceiling(min / step) * step; tick <= max; tick += step)
        {
            yield return Math.Abs(tick) < step * 1e-9 ? 0 : tick;
        }
    }

    private static string Format(double value) =>
        Math.Abs(value) >= 10_000 || (Math.Abs(value) < 0.001 && value != 0)
            ? value.ToString("0.##E0", CultureInfo.InvariantCulture)
            : value.ToString("0.####", CultureInfo.InvariantCulture);

    private static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
