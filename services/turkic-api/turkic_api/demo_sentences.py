"""Real sentences of each language: the demo data `dev_prepare` writes, and the test data.

The first two of each language are Article 1 of the Universal Declaration of Human
Rights in that language's official translation (OHCHR's UDHR translations project);
the others were written for these tests (a train timetable, a garden, a reading
sentence; the tr and kk reading sentences are the original service's documented
examples).
"""

from turkic_api.languages import Language

SENTENCES: dict[Language, tuple[str, ...]] = {
    "en": (
        "All human beings are born free and equal in dignity and rights",
        "They are endowed with reason and conscience and should act towards one another "
        "in a spirit of brotherhood",
        "The train to the city leaves every morning at seven o'clock",
        "My grandmother planted apple trees in the garden behind the house",
    ),
    "tr": (
        "Bütün insanlar hür, haysiyet ve haklar bakımından eşit doğarlar",
        "Akıl ve vicdana sahiptirler ve birbirlerine karşı kardeşlik zihniyeti ile "
        "hareket etmelidirler",
        "Şehre giden tren her sabah saat yedide kalkıyor",
        "Büyükannem evin arkasındaki bahçeye elma ağaçları dikti",
    ),
    "az": (
        "Bütün insanlar azad, ləyaqət və hüquqlarına görə bərabər doğulurlar",
        "Onların şüurları və vicdanları var və bir-birlərinə münasibətdə qardaşlıq "
        "ruhunda davranmalıdırlar",
        "Şəhərə gedən qatar hər səhər saat yeddidə yola düşür",
        "Nənəm evin arxasındakı bağda alma ağacları əkdi",
    ),
    "kk": (
        "Барлық адамдар тумысынан азат және қадір-қасиеті мен құқықтары тең болып дүниеге келеді",
        "Адамдарға ақыл-парасат, ар-ождан берілген, сондықтан олар бір-бірімен "
        "туыстық, бауырмалдық қарым-қатынас жасаулары тиіс",
        "Қалаға баратын пойыз күн сайын таңертең сағат жетіде жүреді",
        "Әжем үйдің артындағы бақшаға алма ағаштарын отырғызды",
    ),
    "ky": (
        "Бардык адамдар өз беттеринче эркин жана теӊ укуктуу болуп жаралат",
        "Алардын аң-сезими менен абийири бар жана бири-бирине бир туугандык мамиле кылууга тийиш",
        "Шаарга бара турган поезд күн сайын эртең менен саат жетиде жөнөйт",
        "Чоң энем үйдүн артындагы бакка алма дарактарын отургузду",
    ),
    "uz": (
        "Barcha odamlar erkin, qadr-qimmat va huquqlarda teng bo'lib tug'iladilar",
        "Ular aql va vijdon sohibidirlar va bir-birlariga birodarlarcha muomala qilishlari zarur",
        "Shaharga boradigan poyezd har kuni ertalab soat yettida jo'naydi",
        "Buvim uyning orqasidagi bog'ga olma daraxtlarini ekdi",
    ),
    "ug": (
        "ھەممە ئادەم تۇغۇلۇشىدىنلا ئەركىن، ئىززەت-ھۆرمەت ۋە ھوقۇقتا باپباراۋەر بولۇپ تۇغۇلغان",
        "ئۇلار ئەقىلگە ۋە ۋىجدانغا ئىگە ھەمدە بىر-بىرىگە قېرىنداشلىق مۇناسىۋىتىگە خاس روھ "
        "بىلەن مۇئامىلە قىلىشى كېرەك",
        "شەھەرگە بارىدىغان پويىز ھەر كۈنى ئەتىگەن سائەت يەتتىدە قوزغىلىدۇ",
        "مومام ئۆينىڭ ئارقىسىدىكى باغقا ئالما دەرىخى تىكتى",
    ),
    "fi": (
        "Kaikki ihmiset syntyvät vapaina ja tasavertaisina arvoltaan ja oikeuksiltaan",
        "Heille on annettu järki ja omatunto, ja heidän on toimittava toisiaan kohtaan "
        "veljeyden hengessä",
        "Kaupunkiin menevä juna lähtee joka aamu kello seitsemän",
        "Isoäitini istutti omenapuita talon takana olevaan puutarhaan",
    ),
}
