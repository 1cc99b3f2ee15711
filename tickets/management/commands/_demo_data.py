"""Hand-written texts for the demo (``seed_demo``) and the live stream (``simulate_mentions``).

All people, numbers and brands are made up. Placeholders filled in at random: ``{city}``, ``{hours}``,
``{amount}``, ``{ref}``, ``{days}``. Each opening line is ``(language, priority, text)``; priority uses the
numbers of :class:`brands.models.Priority` (4 urgent … 1 low).
"""

from dataclasses import dataclass, field

CITIES = [
    "Bekasi Timur",
    "Depok",
    "Tangerang Selatan",
    "Bogor",
    "Cibubur",
    "Bandung",
    "Surabaya",
    "Malang",
    "Yogyakarta",
    "Semarang",
    "Medan",
    "Makassar",
    "Denpasar",
    "Palembang",
    "Pontianak",
    "Balikpapan",
    "Kemang",
    "Kelapa Gading",
]

AUTHORS = [
    ("rinaa_putri", "Rina Putri 🌻"),
    ("budi.santoso", "Budi Santoso"),
    ("andi_wiranata", "Andi Wiranata"),
    ("sari.dewi88", "Sari Dewi"),
    ("yogiee", "Yogi Pratama"),
    ("mbak_ayu", "Ayu Lestari"),
    ("kangmas_dodi", "Dodi Kurniawan"),
    ("nadiaaa.r", "Nadia Rahma"),
    ("fajarnugraha", "Fajar Nugraha"),
    ("tika_amelia", "Tika Amelia"),
    ("hendra.gunawan", "Hendra Gunawan"),
    ("putu_ari", "Putu Ari Wibawa"),
    ("dinda.maharani", "Dinda Maharani"),
    ("reza_oktav", "Reza Oktaviano"),
    ("siti_nurhaliza_id", "Siti Nurhaliza"),
    ("agus.salim77", "Agus Salim"),
    ("intan.permata", "Intan Permata"),
    ("bayu_skak", "Bayu Aji"),
    ("lia.kusuma", "Lia Kusuma"),
    ("dimas_arya", "Dimas Arya"),
    ("novi.ananda", "Novi Ananda"),
    ("irfan_hakim_", "Irfan Hakim"),
    ("wulan.sari", "Wulan Sari"),
    ("teguh.prasetyo", "Teguh Prasetyo"),
    ("meli_melinda", "Melinda Wijaya"),
    ("arief_rahman", "Arief Rahman"),
    ("kevin.tanoto", "Kevin Tanoto"),
    ("jessica_h", "Jessica Halim"),
    ("ucok_baba", "Ucok Siregar"),
    ("maria.ulfa", "Maria Ulfa"),
    ("gilang_dirga", "Gilang Dirgahayu"),
    ("eka_saputra", "Eka Saputra"),
    ("rizky.febian", "Rizky Febian"),
    ("anisa_rahmawati", "Anisa Rahmawati"),
    ("joko.w_", "Joko Widodo (bukan yg itu)"),
    ("ratna.sari.dewi", "Ratna Sari"),
    ("tommy_kurnia", "Tommy Kurnia"),
    ("laras_ati", "Laras Ati"),
    ("sandy.pratama", "Sandy Pratama"),
    ("ikhsan_m", "Ikhsan Maulana"),
    ("claire.tan", "Claire Tan"),
    ("jakartaexpat_mike", "Mike O'Connell"),
    ("priya.k", "Priya Kumar"),
    ("sophie_travels", "Sophie Laurent"),
    ("danielw", "Daniel Wong"),
    ("emma.j", "Emma Johansson"),
    ("hiroshi_t", "Hiroshi Tanaka"),
    ("bangjago_review", "Bang Jago Review"),
    ("techinasia_fan", "Arga Putra"),
    ("mamah_muda_bdg", "Mamah Muda Bandung"),
]

# --- Telkora (telco) -----------------------------------------------------------------------------------------

TELCO_OPENERS = [
    (
        "id",
        4,
        "min, udah {days} hari sinyal di {city} ilang total 😡 padahal paket 50GB baru diisi kemarin. Tolong dong!!",
    ),
    ("id", 3, "Sinyal di {city} hilang dari jam 8 pagi, kerjaan WFH saya keganggu semua. Ada gangguan BTS kah?"),
    ("id", 2, "kak kuota saya kepotong terus padahal ga dipake, tadi pagi sisa 12GB sekarang tinggal 3GB. kok bisa?"),
    ("id", 2, "Min, paket data unlimited kok dibatasi 2GB per hari? iklannya nggak sesuai dong"),
    ("id", 3, "Selamat siang, tagihan pascabayar saya bulan ini Rp {amount}, naik hampir dua kali lipat tanpa info."),
    ("id", 2, "gan, cara stop langganan konten yang motong pulsa tiap hari gimana ya? ga pernah daftar padahal"),
    (
        "id",
        2,
        "Isi ulang paket lewat aplikasi, saldo e-wallet kepotong Rp {amount} tapi paketnya belum masuk. Ref {ref}",
    ),
    ("id", 1, "min kapan Telkora ada promo kuota malam lagi? yang kemarin mantap bgt"),
    ("id", 2, "Internet lemot bgt di {city}, speedtest cuma 0,3 Mbps. Jam segini biasanya lancar."),
    (
        "id",
        3,
        "Kartu saya tiba2 ga ada layanan setelah update HP, padahal nomor ini buat OTP bank semua. Tolong cepat!",
    ),
    ("id", 2, "Kak mau tanya, kalau pindah dari prabayar ke pascabayar nomornya tetap kan? syaratnya apa aja?"),
    ("id", 2, "Min roaming di Singapura kok ga bisa internetan ya, paket roaming udah aktif dari kemarin"),
    ("id", 1, "makasih Telkora, sinyal di kampung halaman sekarang udah 4G 🙏 mudik jadi lancar video call sama ortu"),
    ("id", 2, "Mohon info, kenapa SMS saya gagal terkirim terus ke nomor operator lain sejak tadi malam?"),
    (
        "id",
        3,
        "Udah {days} kali telpon call center soal IndiHome eh maksudnya Telkora Home, teknisi ga dateng2. Kecewa.",
    ),
    ("id", 2, "min, poin Telkora Rewards saya hilang semua, padahal mau dituker voucher. kenapa ya?"),
    ("id", 2, "wifi Telkora Home mati dari {hours} jam yang lalu, lampu LOS merah kedip2. ada gangguan di {city}?"),
    ("id", 1, "Kak, paket kuota belajar masih ada nggak ya buat anak sekolah?"),
    ("id", 2, "Min aplikasi MyTelkora ga bisa login, muncul 'terjadi kesalahan' terus. Udah uninstall install ulang."),
    (
        "id",
        4,
        "GANGGUAN LAGI?? sinyal {city} mati total sejak subuh, ga bisa telpon ambulans tadi. Parah bgt #TelkoraLemot",
    ),
    ("id", 2, "Permisi, saya mau ganti kartu yang hilang tapi lagi di luar kota. Bisa diproses di gerai {city}?"),
    ("id", 2, "kuota sosmed saya kok ga kepake buat TikTok ya min? malah motong kuota utama"),
    ("id", 1, "Sekedar masukan, jam buka gerai di {city} tolong diperpanjang sampai malam dong 🙏"),
    ("id", 3, "Nomor saya diblokir karena katanya belum registrasi, padahal udah registrasi NIK dari 2018. Tolong!"),
    ("en", 4, "@TelkoraCare no signal at all in {city} since this morning, I can't even make calls. What's going on?"),
    ("en", 2, "Hi, I was charged twice for the same top-up (Rp {amount}) yesterday. Ref no. {ref}. Please refund."),
    ("en", 2, "How do I switch my prepaid plan to postpaid without losing my number?"),
    ("en", 2, "My data is extremely slow in {city}, like 2G speeds. Is there maintenance in the area?"),
    (
        "en",
        3,
        "Your roaming package doesn't work in Tokyo, I've been without internet for {hours} hours. Unacceptable.",
    ),
    ("en", 1, "Shout out to the Telkora store staff in {city}, sorted my eSIM in 10 minutes. Great service!"),
    ("en", 2, "The MyTelkora app keeps crashing when I open the bill page. Android 14, latest version."),
    (
        "en",
        2,
        "Why is my monthly bill Rp {amount} when my plan is only Rp 150.000? Nobody told me about extra charges.",
    ),
    ("en", 2, "Is 5G available in {city} yet? Thinking of upgrading my phone."),
    (
        "en",
        3,
        "Home fibre down for {hours} hours in {city}, the technician visit was cancelled twice. Please escalate.",
    ),
]

TELCO_DMS = [
    ("id", 2, "Halo min, ini nomor pelanggan saya 0812-xxxx-{ref}. Mohon dicek kenapa kuota saya habis cepat."),
    ("id", 3, "Kak, saya kirim detail ya: nomor 0813xxxx{ref}, lokasi {city}, sinyal hilang sejak {days} hari lalu."),
    ("id", 2, "Selamat malam, saya mau komplain tagihan. Nomor akun {ref}, tagihan Rp {amount}."),
    ("en", 2, "Hi, sending my account details by DM as asked: account {ref}, the double charge was Rp {amount}."),
    ("en", 2, "Hello, can you check why my eSIM activation QR code isn't working? Order {ref}."),
]

TELCO_REPLIES = {
    "id": [
        "Halo Kak {name}, mohon maaf atas gangguan sinyal di lokasi Kakak 🙏 Tim teknis sedang menangani. Boleh DM "
        "nomor pelanggan & lokasi detailnya? -{operator}",
        "Hai Kak {name}, terima kasih sudah menghubungi Telkora. Sudah kami cek, kuota Kakak aman dan kami kirim "
        "rinciannya lewat DM ya. -{operator}",
        "Halo Kak {name}, mohon maaf atas ketidaknyamanannya. Laporan Kakak sudah kami teruskan dengan nomor tiket "
        "TK-{ref}, kami kabari maks. 1x24 jam ya. -{operator}",
        "Hai Kak {name} 🙏 untuk tagihannya sudah kami cek dan ada koreksi, selisihnya akan dikembalikan di tagihan "
        "bulan depan. -{operator}",
        "Terima kasih masukannya Kak {name}, sudah kami sampaikan ke tim terkait ya 😊 -{operator}",
    ],
    "en": [
        "Hi {name}, sorry for the trouble with the signal 🙏 Our technical team is on it. Could you DM us your "
        "number and exact location? -{operator}",
        "Hi {name}, thanks for reaching out. We've checked and the double charge will be refunded within 3 working "
        "days, ref TK-{ref}. -{operator}",
        "Hello {name}, we're sorry about this. We've escalated it to our network team and will update you within "
        "24 hours. -{operator}",
        "Thanks so much for the kind words, {name}! We'll pass them on to the team 😊 -{operator}",
    ],
}

TELCO_NOTES = [
    "Sudah cek di NMS: ada gangguan BTS {city}, estimasi pulih jam 18.00.",
    "Pelanggan prioritas (pascabayar 6 tahun). Jangan tawarkan kompensasi sebelum approval supervisor.",
    "Double charge confirmed in billing, refund request filed with finance (ref {ref}).",
    "Customer already called the hotline twice; keep the case here, don't bounce.",
    "Teknisi dijadwalkan besok pagi, sudah konfirmasi via DM.",
]

# --- Nusa Bank (bank) ----------------------------------------------------------------------------------------

BANK_OPENERS = [
    (
        "id",
        4,
        "Min, saldo saya kepotong Rp {amount} tapi transfer ke bank lain gagal 😭 udah telpon {days}x gak ada solusi",
    ),
    (
        "id",
        3,
        "Kartu debit saya terblokir setelah salah PIN 3x, apakah bisa dibuka lewat aplikasi atau harus ke cabang?",
    ),
    ("id", 3, "m-banking error terus dari pagi, muncul kode 503 tiap mau login. Mau bayar cicilan jadi telat nih"),
    ("id", 2, "Kartu debit saya tertelan di ATM {city}, tolong info prosedurnya. Terima kasih."),
    ("id", 4, "Ada transaksi yang bukan saya Rp {amount} di mutasi rekening! Tolong segera blokir, saya takut dibobol"),
    ("id", 2, "gan, kenapa notifikasi OTP dari Nusa Bank ga masuk2 ya? udah nunggu {hours} jam"),
    ("id", 2, "Selamat siang, saya ingin menanyakan biaya administrasi bulanan yang naik tanpa pemberitahuan."),
    ("id", 2, "Kak mau tanya syarat buka rekening tabungan anak apa aja ya? bisa online?"),
    ("id", 3, "Top up e-wallet lewat Nusa Mobile gagal tapi saldo rekening udah berkurang Rp {amount}. Ref {ref}"),
    ("id", 1, "Pelayanan CS di cabang {city} ramah banget, urusan ganti kartu cuma 15 menit. Makasih Nusa Bank 👍"),
    ("id", 2, "Min, limit transfer harian saya bisa dinaikkan nggak? mau bayar DP rumah"),
    ("id", 3, "Sudah {days} hari pengajuan KPR saya statusnya 'diproses' terus, tidak ada kabar sama sekali."),
    ("id", 2, "kok QRIS Nusa Mobile ga bisa dipake di merchant, selalu 'transaksi ditolak'?"),
    ("id", 4, "Akun Nusa Mobile saya tiba2 ke-logout dan ada yang ganti nomor HP. TOLONG SEGERA, ini penipuan!!"),
    ("id", 2, "Min, ATM di {city} sering kosong pas weekend. Tolong diisi dong"),
    ("id", 2, "Permisi, bunga deposito sekarang berapa ya untuk tenor 6 bulan?"),
    ("id", 1, "Fitur baru Nusa Mobile bagus, bisa split bill. Tapi dark mode-nya kapan min? 😁"),
    ("id", 3, "Kartu kredit saya ditolak di luar negeri padahal limit masih ada. Lagi di Bangkok, tolong dibantu."),
    ("id", 2, "Halo, bagaimana cara mengganti buku tabungan yang sudah penuh? Harus ke cabang pembuka?"),
    ("id", 2, "min, virtual account buat bayar kuliah ga kebaca di aplikasi, katanya 'nomor tidak ditemukan'"),
    (
        "id",
        3,
        "Saya sudah lapor dana nyangkut sejak {days} hari, dijanjikan 3x24 jam tapi sampai sekarang belum balik.",
    ),
    ("id", 2, "Tolong info, apakah ada biaya kalau tutup rekening? Saya mau pindah kota ke {city}."),
    ("en", 4, "Hi, my bank transfer failed but the money left my account. Rp {amount}, reference {ref}. Please help."),
    ("en", 3, "Card blocked while travelling abroad, I need it unblocked urgently. I'm stuck at the hotel."),
    ("en", 2, "The Nusa Mobile app says 'session expired' every two minutes. Very frustrating."),
    ("en", 2, "What documents do foreigners need to open a savings account with a KITAS?"),
    ("en", 1, "Quick and friendly help at the {city} branch today, thank you Nusa Bank!"),
    ("en", 3, "I see a card payment of Rp {amount} I never made. Please freeze my card now."),
    ("en", 2, "Is there a fee for international transfers to Singapore? Can't find it on the website."),
    ("en", 2, "Your ATM in {city} ate my card. What do I do now?"),
    ("en", 2, "Why does the credit card statement show an annual fee? I was told it was free for life."),
]

BANK_DMS = [
    ("id", 3, "Halo, ini detail transaksi yang gagal kemarin: {days}/11 09.12, Rp {amount}, ref {ref}. Mohon dicek 🙏"),
    ("id", 2, "Kak, nomor rekening saya xxxx{ref}, kartu debit masih terblokir sampai sekarang."),
    ("id", 2, "Selamat malam, saya lampirkan bukti transfer ya. Nominal Rp {amount}, tujuan bank lain."),
    ("en", 3, "Here are the details: card ending {ref}, the unknown payment was Rp {amount} yesterday evening."),
    ("en", 2, "Hi, following up by DM as requested. My account number ends in {ref}."),
]

BANK_REPLIES = {
    "id": [
        "Halo Kak {name}, mohon maaf atas ketidaknyamanannya 🙏 Agar data Kakak aman, mohon kirim detail transaksi "
        "via DM ya. -{operator}",
        "Hai Kak {name}, sudah kami cek, dana akan kembali maks. 1x24 jam. Nomor laporan: NB-{ref}. -{operator}",
        "Halo Kak {name}, kartu Kakak bisa dibuka lewat menu Kartu > Buka Blokir di Nusa Mobile ya. Jika masih "
        "gagal, kabari kami lagi 🙏 -{operator}",
        "Hai Kak {name}, demi keamanan, akun dan kartu Kakak sudah kami blokir sementara. Tim kami akan menghubungi "
        "Kakak dari nomor resmi 1500-xxx. -{operator}",
        "Terima kasih apresiasinya Kak {name} 😊 akan kami sampaikan ke tim cabang. -{operator}",
    ],
    "en": [
        "Hi {name}, we're sorry about this 🙏 To keep your data safe, please DM us the transaction details. "
        "-{operator}",
        "Hi {name}, we've checked: the funds will be returned within 24 hours, report NB-{ref}. -{operator}",
        "Hello {name}, your card has been unblocked for international use. Please try again and let us know. "
        "-{operator}",
        "Thank you for the kind words, {name}! We'll share them with the branch team 😊 -{operator}",
    ],
}

BANK_NOTES = [
    "Dana nyangkut terkonfirmasi di switching, sudah diajukan reversal (ref {ref}).",
    "Possible fraud: card frozen, case handed to the fraud team. Don't discuss details publicly.",
    "Nasabah prioritas. Sudah dihubungi via telepon oleh cabang {city}.",
    "Customer asked twice already; reversal takes 1x24h, promised an update tomorrow morning.",
    "Jangan sebut nominal di balasan publik, lanjutkan via DM.",
]

# --- shared ----------------------------------------------------------------------------------------------------

FOLLOW_UPS = {
    "id": [
        "min?? udah {hours} jam ga ada balasan",
        "ini gimana kelanjutannya kak?",
        "sama kak, saya juga kena di {city} 🙄",
        "Mohon ditindaklanjuti, terima kasih.",
        "udah saya DM ya min",
        "masih belum bisa sampe sekarang 😩",
        "tolong dong, udah telat bayar nih gara2 ini",
        "halo? ada orang ga sih",
        "update: sekarang malah tambah parah",
        "oke kak ditunggu kabarnya",
    ],
    "en": [
        "Any update on this?",
        "Still not fixed after {hours} hours...",
        "Same here in {city}!",
        "I've sent you a DM.",
        "Hello? Is anyone reading these?",
        "Ok thanks, waiting for your update.",
    ],
}

THANKS = {
    "id": ["makasih min, udah lancar lagi 🙏", "oke sudah bisa kak, terima kasih banyak", "mantap, gercep adminnya 👍"],
    "en": ["Thanks, it works now!", "All sorted, appreciate the quick help.", "Great, thank you!"],
}


@dataclass(frozen=True)
class BrandDemo:
    slug: str
    name: str
    handle: str  # the brand's account handle, mentioned in public posts on X
    openers: list[tuple[str, int, str]]
    dms: list[tuple[str, int, str]]
    replies: dict[str, list[str]]
    notes: list[str]
    channels: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # platform → (external id, name, handle)


TELKORA = BrandDemo(
    slug="telkora",
    name="Telkora",
    handle="TelkoraCare",
    openers=TELCO_OPENERS,
    dms=TELCO_DMS,
    replies=TELCO_REPLIES,
    notes=TELCO_NOTES,
    channels={
        "x": ("1587000000000000001", "Telkora Care", "TelkoraCare"),
        "facebook": ("104729385610001", "Telkora Indonesia", "telkora.id"),
        "instagram": ("17841400000000001", "Telkora", "telkora.id"),
        "youtube": ("UCtelkora0000000000000001", "Telkora Official", "TelkoraOfficial"),
    },
)

NUSA_BANK = BrandDemo(
    slug="nusa-bank",
    name="Nusa Bank",
    handle="NusaBankCare",
    openers=BANK_OPENERS,
    dms=BANK_DMS,
    replies=BANK_REPLIES,
    notes=BANK_NOTES,
    channels={
        "x": ("1587000000000000002", "Nusa Bank Care", "NusaBankCare"),
        "facebook": ("104729385610002", "Nusa Bank", "nusabank"),
        "instagram": ("17841400000000002", "Nusa Bank", "nusabank.id"),
        "youtube": ("UCnusabank000000000000002", "Nusa Bank", "NusaBankID"),
    },
)

BRANDS = [TELKORA, NUSA_BANK]
