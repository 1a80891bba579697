using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OGan.Cli.Serve;

/// <summary>The certificate `ogan serve --https` presents: the user's, or one it makes and keeps for the next start.</summary>
internal static class ServeCertificate
{
    /// <summary>
    /// Loads <paramref name="path"/>: PKCS#12 (.pfx, .p12), or PEM (.pem, .crt) holding the certificate and its
    /// private key, or with the key beside it as the same name ending in .key.
    /// </summary>
    /// <exception cref="UserError">The file is missing, unreadable, or has no private key.</exception>
    public static X509Certificate2 Load(string path, string? password)
    {
        try
        {
            var extension = Path.GetExtension(path).ToLowerInvariant();
            var certificate = extension is ".pem" or ".crt"
                ? X509Certificate2.CreateFromPemFile(path, File.Exists(Path.ChangeExtension(path, ".key")) ? Path.ChangeExtension(path, ".key") : null)
                : X509CertificateLoader.LoadPkcs12FromFile(path, password);
            return certificate.HasPrivateKey
                ? certificate
                : throw new UserError($"--certificate {path}: it holds no private key (give a .pfx with its key, or a PEM with the key in it or in {Path.ChangeExtension(path, ".key")})", Guard.Usage);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new UserError($"--certificate {path}: {e.Message.Split('\n')[0].Trim()} (a PKCS#12 file with --certificate-password, or a PEM file with its key)", Guard.Usage);
        }
    }

    /// <summary>
    /// A self-signed certificate for <paramref name="address"/>, this machine's name, localhost and 127.0.0.1, kept
    /// in <paramref name="folder"/> (serve.pfx, and serve.crt for a browser or curl to trust) and reused while it
    /// has more than a week to run.
    /// </summary>
    public static (X509Certificate2 Certificate, string PublicFile, bool Made) SelfSigned(IPAddress address, string folder)
    {
        Directory.CreateDirectory(folder);
        var (pfx, crt) = (Path.Combine(folder, "serve.pfx"), Path.Combine(folder, "serve.crt"));
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddDnsName(Environment.MachineName);
        names.AddIpAddress(IPAddress.Loopback);
        if (!address.Equals(IPAddress.Any) && !address.Equals(IPAddress.Loopback))
        {
            names.AddIpAddress(address);
        }

        var extension = names.Build();
        if (File.Exists(pfx) && File.Exists(crt))
        {
            try
            {
                var kept = X509CertificateLoader.LoadPkcs12FromFile(pfx, password: null);
                var sameNames = kept.Extensions.OfType<X509SubjectAlternativeNameExtension>().Any(e => e.RawData.AsSpan().SequenceEqual(extension.RawData));
                if (kept.HasPrivateKey && sameNames && kept.NotAfter > DateTime.Now.AddDays(7))
                {
                    return (kept, crt, false);
                }
            }
            catch (CryptographicException)
            {
                // unreadable: make a new one
            }
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=ogan serve", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(extension);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false)); // server authentication
        using var made = request.CreateSelfSigned(DateTimeOffset.Now.AddMinutes(-5), DateTimeOffset.Now.AddYears(1));
        var bytes = made.Export(X509ContentType.Pfx);
        Files.AtomicFile.WriteAllBytes(pfx, bytes);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(pfx, UnixFileMode.UserRead | UnixFileMode.UserWrite); // it holds the private key
        }

        Files.AtomicFile.WriteAllBytes(crt, System.Text.Encoding.ASCII.GetBytes(made.ExportCertificatePem() + "\n"));
        return (X509CertificateLoader.LoadPkcs12(bytes, password: null), crt, true);
    }
}
