# Verifies every DKIM-Signature of a message with Perl Mail::DKIM (Debian libmail-dkim-perl),
# answering DNS from files: perl mail-dkim-verify.pl MESSAGE NAME=RECORDFILE ...
# Prints "SIG <algorithm> <domain> <result>" per signature and "RESULT <overall>".
use strict; use warnings;
use Mail::DKIM::Verifier; use Net::DNS;
my %records;   # name => record, from the key files given as NAME=FILE
my $msgfile = shift @ARGV;
for my $a (@ARGV) { my ($n, $f) = split /=/, $a, 2; open my $h, '<', $f or die; local $/; my $r = <$h>; $r =~ s/\s+$//; $records{lc $n} = $r; }
no warnings 'redefine';
*Mail::DKIM::DNS::query = sub {
  my ($name, $type) = @_;
  my $r = $records{lc $name};
  unless (defined $r) { $@ = "NXDOMAIN"; return; }
  my @chunks = ($r =~ /(.{1,250})/g);
  return (Net::DNS::RR->new(name => $name, type => 'TXT', txtdata => [@chunks]));
};
my $v = Mail::DKIM::Verifier->new();
open my $fh, '<', $msgfile or die; binmode $fh;
while (<$fh>) { s/\r?\n\z/\r\n/; $v->PRINT($_); }
$v->CLOSE;
for my $s ($v->signatures) { printf "SIG %s %s %s\n", $s->algorithm, $s->domain, $s->result_detail; }
print "RESULT ", $v->result, "\n";
