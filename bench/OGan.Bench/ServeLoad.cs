using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;

namespace OGan.Bench;

/// <summary>
/// Load on a running `ogan serve`: first 1,000 requests one after the other with the server's resident memory
/// read every 100, then CLIENTS concurrent clients for SECONDS alternating GET /api/sample (16 images) and
/// POST /api/reconstruct (one uploaded image), with latency percentiles per endpoint.
/// </summary>
internal static class ServeLoad
{
    public static async Task Run(string url, int clients, int seconds, int serverPid, string image)
    {
        using var http = new HttpClient { BaseAddress = new Uri(url) };
        var upload = await File.ReadAllBytesAsync(image);

        Console.WriteLine($"server resident memory over 1,000 sequential requests (pid {serverPid}):");
        for (var i = 0; i < 1000; i++)
        {
            await Request(http, i, upload);
            if (i % 100 == 0 || i == 999)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  after {i + 1,4} requests: {ResidentMegabytes(serverPid):F0} MB"));
            }
        }

        var latencies = new Dictionary<string, List<double>> { ["sample"] = [], ["reconstruct"] = [] };
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async client =>
        {
            for (var i = client; clock.Elapsed.TotalSeconds < seconds; i += clients)
            {
                var (kind, elapsed) = await Request(http, i, upload);
                lock (latencies)
                {
                    latencies[kind].Add(elapsed);
                }
            }
        }));

        var total = latencies.Values.Sum(l => l.Count);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{clients} clients for {clock.Elapsed.TotalSeconds:F0} s: {total} requests, {total / clock.Elapsed.TotalSeconds:F1}/s; resident memory {ResidentMegabytes(serverPid):F0} MB"));
        foreach (var (kind, values) in latencies)
        {
            values.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {kind,-12} n {values.Count,5}  p50 {Percentile(values, 0.50),7:F1} ms  p99 {Percentile(values, 0.99),7:F1} ms"));
        }
    }

    private static async Task<(string Kind, double Milliseconds)> Request(HttpClient http, int i, byte[] upload)
    {
        var clock = Stopwatch.StartNew();
        if (i % 2 == 0)
        {
            using var response = await http.GetAsync($"/api/sample?seed={i}&n=16");
            response.EnsureSuccessStatusCode();
            await response.Content.ReadAsByteArrayAsync();
            return ("sample", clock.Elapsed.TotalMilliseconds);
        }

        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(upload);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "file", "image.png");
        using var reconstructed = await http.PostAsync("/api/reconstruct", form);
        reconstructed.EnsureSuccessStatusCode();
        await reconstructed.Content.ReadAsByteArrayAsync();
        return ("reconstruct", clock.Elapsed.TotalMilliseconds);
    }

    private static double Percentile(List<double> sorted, double q) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];

    private static double ResidentMegabytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
    }
}
